/** The silo a value or item came from, as a small labelled badge with a stable colour per source. */
import { siloLabel } from '../format.ts';

const palette = ['#0b5394', '#7a3e00', '#1d6b35', '#6a1b9a', '#8a1538', '#00606b', '#4a4a4a'];

function colourOf(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return palette[hash % palette.length]!;
}

export function SourceBadge({ source }: { source: string | undefined }) {
  const label = siloLabel(source);
  return (
    <span className="badge" style={{ backgroundColor: colourOf(label) }} title={source ?? 'unknown source'}>
      <span className="visually-hidden">source: </span>
      {label}
    </span>
  );
}
