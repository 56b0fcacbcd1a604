/**
 * Draws one throwaway chart, off screen, right after the page loads, then removes it. The first time
 * recharts draws lines with points it compiles and initialises much of its code, a main-thread task
 * long enough to jank the page; paying that before Run keeps the first live epoch cheap.
 */
import { useEffect, useState } from 'react';
import { CartesianGrid, Line, LineChart, XAxis, YAxis } from 'recharts';

const SAMPLE = [
  { epoch: 1, value: 20 },
  { epoch: 2, value: 60 },
  { epoch: 3, value: 40 },
];

export function ChartWarmUp() {
  const [done, setDone] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setDone(true), 0);
    return () => clearTimeout(timer);
  }, []);
  if (done) return null;
  return (
    <div className="warm-up" aria-hidden="true">
      <LineChart width={320} height={160}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="epoch" type="number" domain={[1, 3]} ticks={[1, 2, 3]} interval={0} />
        <YAxis domain={[0, 100]} ticks={[0, 50, 100]} interval={0} unit="%" />
        <Line data={SAMPLE} dataKey="value" strokeDasharray="6 3" isAnimationActive={false} />
        <Line data={SAMPLE} dataKey="value" isAnimationActive={false} />
      </LineChart>
    </div>
  );
}
