/** HbA1c and blood-pressure trend charts for the 360° view (series from trends.ts). */
import { TrendChart } from '../components/trend-chart.tsx';
import { bloodPressureRows, hba1cRows } from './trends.ts';
import type { TimelineItem } from './types.ts';

export function LabTrends({ items, withheld }: { items: TimelineItem[]; withheld: string[] }) {
  if (withheld.includes('Observation'))
    return (
      <p className="notice notice-forbidden" role="note">
        Your role may not see lab results or vital signs (Observation), so there are no trends to show.
      </p>
    );
  return (
    <div className="charts">
      <TrendChart
        title="HbA1c"
        unit="%"
        rows={hba1cRows(items)}
        series={[{ key: 'hba1c', label: 'HbA1c', colour: '#0b5394' }]}
        thresholds={[{ value: 9, label: 'poor control > 9 %' }]}
        description="Diabetes: HbA1c poor control is above 9 % (CMS122)."
      />
      <TrendChart
        title="Blood pressure"
        unit="mmHg"
        rows={bloodPressureRows(items)}
        series={[
          { key: 'systolic', label: 'Systolic', colour: '#8a1538' },
          { key: 'diastolic', label: 'Diastolic', colour: '#0b5394' },
        ]}
        thresholds={[{ value: 140, label: '140 systolic' }, { value: 90, label: '90 diastolic' }]}
        description="Controlled is below 140/90 (CMS165)."
      />
    </div>
  );
}
