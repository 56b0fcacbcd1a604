/** The lab's one page: Setup on the left, the run (strip, charts, table, then the explore tabs) on the right. */
import { BackendBadge } from './BackendBadge';
import { CachePanel } from './CachePanel';
import { Charts } from './Charts';
import { ClassMode } from './ClassMode';
import { ConfigForm } from './ConfigForm';
import { ConfigFile } from './ConfigFile';
import { ErrorBanner } from './ErrorBanner';
import { ExportBar } from './ExportBar';
import { PipelineStrip } from './PipelineStrip';
import { PresetPicker } from './PresetPicker';
import { ResultsJson } from './ResultsJson';
import { ResultsTable } from './ResultsTable';
import { ResultsTrigger } from './ResultsTrigger';
import { AttackNotice } from './AttackNotice';
import { RunControls } from './RunControls';
import { RunLog } from './RunLog';
import { Explore } from './Explore';
import { UrlWarnings } from './UrlWarnings';

export function App() {
  return (
    <div className="app">
      <header>
        <div>
          <h1>W2S Backdoor Lab</h1>
          <p className="tagline">Plant a backdoor in a language model, then watch a small clean teacher help it unlearn (W2SDefense).</p>
        </div>
        <div className="header-tools">
          <ClassMode />
          <BackendBadge />
        </div>
      </header>
      <ErrorBanner />
      <UrlWarnings />
      <main>
        <section className="setup" aria-labelledby="setup-title">
          <h2 id="setup-title">Setup</h2>
          <PresetPicker />
          <ConfigFile />
          <ConfigForm />
          <CachePanel />
        </section>
        <section className="run" aria-labelledby="run-title">
          <h2 id="run-title">Run</h2>
          <RunControls />
          <PipelineStrip />
          <Charts />
          <AttackNotice />
          <ResultsTable />
          <ResultsTrigger />
          <ExportBar />
          <Explore />
          <RunLog />
          <ResultsJson />
        </section>
      </main>
    </div>
  );
}
