import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { languageLabels, type Language } from '../protocol/code';
import type { SessionInsights } from '../protocol/replay';
import { count } from './transcript';

/** The insights as charts (uPlot, in this lazily loaded chunk only). Each chart says in words what it shows. */
export default function InsightsCharts({ insights }: { insights: SessionInsights }) {
  const { viewers, chat, reactions, codeRuns, bucketMs } = insights;
  const bucket = bucketMs === 60_000 ? 'minute' : `${Math.round(bucketMs / 60_000)} minutes`;
  const peakAt = viewers.concurrent.find(([, count]) => count === viewers.peak)?.[0];
  const languages = (Object.entries(codeRuns.byLanguage) as Array<[Language, number]>).filter(([, runs]) => runs > 0);

  return (
    <div className="insights__charts">
      <Chart
        title="Concurrent viewers"
        summary={`At most ${viewers.peak} at once${peakAt ? ` (${time(peakAt)})` : ''}, ${viewers.average.toFixed(1)} on average.`}
        data={[seconds(viewers.concurrent), viewers.concurrent.map(([, n]) => n)]}
        series={[{ label: 'Viewers', stroke: '#5b54e8', fill: 'rgba(91, 84, 232, 0.15)', paths: uPlot.paths.stepped!({ align: 1 }) }]}
      />
      <Chart
        title={`Joins per ${bucket}`}
        summary={`${count(viewers.joins, 'join')} in all.`}
        data={[seconds(viewers.joinsOverTime), viewers.joinsOverTime.map(([, n]) => n)]}
        series={[{ label: 'Joins', stroke: '#2f9e6b', fill: 'rgba(47, 158, 107, 0.5)', paths: uPlot.paths.bars!({ size: [0.8, 40] }) }]}
      />
      <Chart
        title={`Chat and reactions per ${bucket}`}
        summary={`${count(chat.total, 'chat message')} and ${count(reactions.total, 'reaction')}${Object.keys(reactions.byEmoji).length ? ` (${Object.entries(reactions.byEmoji).map(([emoji, n]) => `${emoji} ${n}`).join(', ')})` : ''}.`}
        data={[seconds(chat.overTime), chat.overTime.map(([, n]) => n), reactions.overTime.map(([, n]) => n)]}
        series={[
          { label: 'Chat messages', stroke: '#5b54e8', width: 2 },
          { label: 'Reactions', stroke: '#e0822f', width: 2 },
        ]}
      />
      <Chart
        title="Code runs by language"
        summary={languages.length ? languages.map(([language, runs]) => `${languageLabels[language]}: ${runs}`).join(', ') : 'No code was run.'}
        data={[languages.map((_, i) => i), languages.map(([, runs]) => runs)]}
        series={[{ label: 'Runs', stroke: '#2f7bd9', fill: 'rgba(47, 123, 217, 0.6)', paths: uPlot.paths.bars!({ size: [0.6, 80] }) }]}
        categories={languages.map(([language]) => languageLabels[language])}
      />
    </div>
  );
}

const HEIGHT = 200;

function Chart({
  title,
  summary,
  data,
  series,
  categories,
}: {
  title: string;
  summary: string;
  data: uPlot.AlignedData;
  series: uPlot.Series[];
  /** Categories on x (bars by name) instead of time. */
  categories?: string[];
}) {
  const target = useRef<HTMLDivElement>(null);
  const summaryId = useId();

  useEffect(() => {
    const element = target.current;
    if (!element) return;
    const width = () => Math.max(240, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        legend: { show: series.length > 1 },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: categories ? { time: false, range: [-0.5, Math.max(0.5, categories.length - 0.5)] } : { time: true },
          y: { range: (_plot, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
        },
        axes: [
          categories
            ? { values: (_plot, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? (categories[tick] ?? '') : '')), splits: () => categories.map((_, i) => i) }
            : {},
          { values: (_plot, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? String(tick) : '')) },
        ],
        series: [{}, ...series],
      },
      data,
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [data, series, categories]);

  return (
    <figure className="card insights__chart" aria-describedby={summaryId}>
      <figcaption className="insights__chart-title">{title}</figcaption>
      <p id={summaryId} className="muted insights__chart-summary">
        {summary}
      </p>
      <div ref={target} className="insights__chart-plot" role="img" aria-label={`${title}: ${summary}`} />
    </figure>
  );
}

const seconds = (points: Array<[number, number]>) => points.map(([at]) => at / 1000);
const time = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
