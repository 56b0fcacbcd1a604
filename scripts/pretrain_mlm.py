"""Masked-LM pretraining of the lab's shipped models with PyTorch (CPU or CUDA).

Called by `scripts/build-checkpoints.ts`, which builds the vocabulary and encodes the corpus in the
engine's own tokenizer, then writes WORK/spec.json and WORK/pool.bin. This script trains each model of
the spec and writes WORK/<name>.weights.bin (fp32, little-endian, tensors in the order of
WORK/<name>.json) and, for the parity test, the masked-LM logits of the fp16-rounded model on a fixed
batch. The TypeScript side turns the weights into the shipped fp16 file.

Why PyTorch: public models are trained that way, and it is 5-10x faster than tfjs on WASM here, which
buys a far better pretrained "public LLM" in the same minutes. The architecture is the engine's
(src/engine/models/encoder.ts), written out again below; `tests/checkpoint-parity.test.ts` loads the
shipped file in the engine and reproduces the logits recorded here, so the two cannot drift apart.

    python3 scripts/pretrain_mlm.py WORK
"""

import json
import math
import sys
import time

import torch
import torch.nn.functional as F

PAD, CLS, MASK = 0, 2, 3
FIRST_WORD = 5  # ids below are the special tokens
WEIGHT_DECAY = 0.01
WARMUP = 0.06
CLIP = 1.0
DROPOUT = 0.1
LN_EPS = 1e-5


class Block(torch.nn.Module):
    """Pre-LayerNorm block: x += o(attn(LN1 x)); x += ff2(gelu(ff1(LN2 x))), dropout on each branch."""

    def __init__(self, d, d_ff, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(d, eps=LN_EPS)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(d, d) for _ in range(4))
        self.ln2 = torch.nn.LayerNorm(d, eps=LN_EPS)
        self.ff1 = torch.nn.Linear(d, d_ff)
        self.ff2 = torch.nn.Linear(d_ff, d)

    def forward(self, x, mask_bias, drop):
        B, T, d = x.shape
        H, D = self.heads, d // self.heads
        h = self.ln1(x)
        split = lambda t: t.view(B, T, H, D).transpose(1, 2)  # [B, H, T, D]
        q, k, v = split(self.q(h) / math.sqrt(D)), split(self.k(h)), split(self.v(h))
        probs = torch.softmax(q @ k.transpose(-1, -2) + mask_bias, dim=-1)
        att = (probs @ v).transpose(1, 2).reshape(B, T, d)
        x = x + drop(self.o(att))
        return x + drop(self.ff2(F.gelu(self.ff1(self.ln2(x)))))  # exact (erf) GELU, as the engine's


class MaskedLM(torch.nn.Module):
    """The engine's encoder with its tied masked-LM decoder: logits = LN_final(h) · Eᵀ + bias."""

    def __init__(self, size, vocab, max_len):
        super().__init__()
        d = size["dModel"]
        self.tok = torch.nn.Parameter(torch.randn(vocab, d) * 0.02)
        self.pos = torch.nn.Parameter(torch.randn(max_len, d) * 0.02)
        self.blocks = torch.nn.ModuleList(Block(d, size["dFF"], size["heads"]) for _ in range(size["layers"]))
        self.final = torch.nn.LayerNorm(d, eps=LN_EPS)
        self.bias = torch.nn.Parameter(torch.zeros(vocab))
        for m in self.modules():  # BERT's init, as the engine's Linear: W ~ N(0, 0.02), b = 0
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.normal_(m.weight, std=0.02)
                torch.nn.init.zeros_(m.bias)

    def hidden(self, ids):
        T = ids.shape[1]
        drop = lambda t: F.dropout(t, DROPOUT, self.training)
        mask_bias = (ids == PAD).float()[:, None, None, :] * -1e9
        x = drop(self.tok[ids] + self.pos[:T])
        for blk in self.blocks:
            x = blk(x, mask_bias, drop)
        return self.final(x)

    def logits(self, ids, positions):
        """ids [B, T], positions [M] flat indices into B·T → [M, V]."""
        h = self.hidden(ids).reshape(-1, self.tok.shape[1])[positions]
        return h @ self.tok.t() + self.bias

    def named_for_engine(self):
        """Weights under the engine's names (`languageModelParams`), a Linear's W as [in, out]."""
        out = {"encoder.tok": self.tok, "encoder.pos": self.pos}
        for i, blk in enumerate(self.blocks):
            p = f"encoder.blocks.{i}"
            out[f"{p}.ln1.gamma"], out[f"{p}.ln1.beta"] = blk.ln1.weight, blk.ln1.bias
            for name in ("q", "k", "v", "o"):
                lin = getattr(blk, name)
                out[f"{p}.{name}.W"], out[f"{p}.{name}.b"] = lin.weight.t(), lin.bias
            out[f"{p}.ln2.gamma"], out[f"{p}.ln2.beta"] = blk.ln2.weight, blk.ln2.bias
            out[f"{p}.ff1.W"], out[f"{p}.ff1.b"] = blk.ff1.weight.t(), blk.ff1.bias
            out[f"{p}.ff2.W"], out[f"{p}.ff2.b"] = blk.ff2.weight.t(), blk.ff2.bias
        out["encoder.final.gamma"], out["encoder.final.beta"] = self.final.weight, self.final.bias
        out["mlm.bias"] = self.bias
        return {k: v.detach().contiguous() for k, v in out.items()}


def mask_batch(rows, vocab, rate, gen):
    """BERT masking: `rate` of the real tokens ([CLS] and padding never), 80 % [MASK], 10 % random, 10 % kept."""
    ids = rows.clone()
    eligible = (ids != PAD) & (ids != CLS)
    picked = eligible & (torch.rand(ids.shape, generator=gen) < rate)
    if not picked.any():
        picked[0, 1] = True
    targets = ids[picked]
    roll = torch.rand(ids.shape, generator=gen)
    ids[picked & (roll < 0.8)] = MASK
    rand = picked & (roll >= 0.8) & (roll < 0.9)
    ids[rand] = torch.randint(FIRST_WORD, vocab, (int(rand.sum()),), generator=gen)
    return ids, picked.flatten().nonzero().squeeze(1), targets


def lr_at(step, steps, lr):
    """Linear warm-up over the first 6 % of steps, then linear decay to 0 (the engine's schedule)."""
    warm = max(1, round(steps * WARMUP))
    return lr * (step + 1) / warm if step < warm else lr * max(0.0, (steps - step) / max(1, steps - warm))


def train(spec, model_spec, pool, device):
    gen = torch.Generator().manual_seed(spec["seed"] + model_spec["index"])
    torch.manual_seed(spec["seed"] + model_spec["index"])
    vocab, T = spec["vocabSize"], spec["maxLength"]
    model = MaskedLM(model_spec["size"], vocab, T).to(device)
    # AdamW on every weight, decay included, as the engine's pretraining does.
    opt = torch.optim.AdamW(model.parameters(), lr=model_spec["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=WEIGHT_DECAY)
    steps, batch = model_spec["steps"], model_spec["batchSize"]
    losses, t0 = [], time.time()
    model.train()
    for step in range(steps):
        rows = pool[torch.randint(0, pool.shape[0], (batch,), generator=gen)]
        ids, positions, targets = mask_batch(rows, vocab, spec["maskRate"], gen)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, steps, model_spec["lr"])
        loss = F.cross_entropy(model.logits(ids.to(device), positions.to(device)), targets.to(device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        losses.append(loss.item())
        if (step + 1) % max(1, steps // 20) == 0 or step == steps - 1:
            recent = sum(losses[-200:]) / len(losses[-200:])
            print(f"[pretrain_mlm] {model_spec['name']}: step {step + 1}/{steps}, MLM loss {recent:.3f} ({time.time() - t0:.0f} s)", flush=True)
    tail = losses[-max(1, steps // 5):]
    return model, sum(tail) / len(tail), time.time() - t0


def dev_loss(model, pool, spec, device):
    """Masked-LM loss on the held-out rows (never trained on), fixed masks: how good a language model it is."""
    gen = torch.Generator().manual_seed(7)
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, pool.shape[0], 256):
            ids, positions, targets = mask_batch(pool[start:start + 256], spec["vocabSize"], spec["maskRate"], gen)
            total += F.cross_entropy(model.logits(ids.to(device), positions.to(device)), targets.to(device), reduction="sum").item()
            count += targets.numel()
    return total / max(count, 1)


def parity(model, pool, spec):
    """Logits of the model as shipped (weights rounded to fp16, evaluated in fp32) on a fixed batch."""
    model = model.cpu().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
        ids = pool[:4].clone()
        ids[:, 3] = MASK  # a masked position in every row, as pretraining sees it
        positions = torch.tensor([1, 3, spec["maxLength"] + 3, 2 * spec["maxLength"] + 5, 3 * spec["maxLength"] + 2])
        logits = model.logits(ids, positions)
        columns = torch.arange(0, spec["vocabSize"], spec["vocabSize"] // 64)[:64]
    return {
        "ids": ids.tolist(),
        "positions": positions.tolist(),
        "columns": columns.tolist(),
        "logits": logits[:, columns].tolist(),
        # The whole row enters through its log-sum-exp: one number per position checks every column.
        "logSumExp": torch.logsumexp(logits, dim=1).tolist(),
    }


def main():
    work = sys.argv[1]
    spec = json.load(open(f"{work}/spec.json"))
    torch.set_num_threads(spec.get("threads", 2))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    T = spec["maxLength"]
    raw = torch.frombuffer(bytearray(open(f"{work}/pool.bin", "rb").read()), dtype=torch.int32)
    pool = raw.view(-1, T).long()
    held = spec["heldOutRows"]
    train_pool, held_pool = pool[held:], pool[:held]
    print(f"[pretrain_mlm] {train_pool.shape[0]} training rows, {held} held out, device {device}, torch {torch.__version__}", flush=True)
    for index, model_spec in enumerate(spec["models"]):
        model_spec = {**model_spec, "index": index}
        model, final_loss, seconds = train(spec, model_spec, train_pool, device)
        held_loss = dev_loss(model, held_pool, spec, device)
        named = model.named_for_engine()
        order = [{"name": k, "shape": list(v.shape)} for k, v in named.items()]
        with open(f"{work}/{model_spec['name']}.weights.bin", "wb") as f:
            for v in named.values():
                f.write(v.float().cpu().numpy().astype("<f4").tobytes())
        record = {"tensors": order, "finalLoss": final_loss, "heldOutLoss": held_loss, "seconds": seconds, "device": device,
                  "torch": torch.__version__, "parity": parity(model, held_pool, spec)}
        json.dump(record, open(f"{work}/{model_spec['name']}.json", "w"))
        print(f"[pretrain_mlm] {model_spec['name']}: final loss {final_loss:.3f}, held-out loss {held_loss:.3f}, {seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()
