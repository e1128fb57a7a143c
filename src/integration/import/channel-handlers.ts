/**
 * The message handler of each import channel, in one place so every way in (this importer, a
 * running hub's worker reprocessing a stored row, a file-drop directory) maps a channel's
 * messages the same way. The channel name says it all:
 * - `hl7:<silo>` → Hl7MessageHandler with no source override, so identifiers come out as they
 *   do for the same message over MLLP (systems from MSH-3/MSH-4 and assigning authorities);
 * - `csv:<source>` → CsvMessageHandler with every mapping of that source (a message's type
 *   names its mapping);
 * - `fhir:<silo>` → FhirFileHandler with the silo as source system;
 * - `ccda:<drop>` → CcdaMessageHandler (file-drop directories of C-CDA documents).
 */
import { CcdaMessageHandler } from '../ccda/ccda-message-handler.ts';
import type { CsvMapping } from '../csv/mapping-file.ts';
import { CsvMessageHandler } from '../csv/csv-handler.ts';
import { FhirFileHandler } from '../fhir-files/fhir-file-handler.ts';
import { Hl7MessageHandler } from '../hl7v2-fhir/message-handler.ts';
import type { MessageHandler } from '../message-store/message-processor.ts';
import { urnSafe } from '../hl7v2-fhir/context.ts';

/** The handler for an import channel, or undefined when the name is not one (`hl7`, `adt-main`). */
export function importHandlerFor(channel: string, mappings: readonly CsvMapping[]): MessageHandler | undefined {
  const colon = channel.indexOf(':');
  if (colon < 0) return undefined;
  const prefix = channel.slice(0, colon);
  const name = channel.slice(colon + 1);
  switch (prefix) {
    case 'hl7':
      return new Hl7MessageHandler();
    case 'csv': {
      const own = mappings.filter((m) => m.source.system === name);
      return own.length > 0 ? new CsvMessageHandler(own) : undefined;
    }
    case 'fhir':
      return new FhirFileHandler({ sourceSystem: urnSafe(name) });
    case 'ccda':
      return new CcdaMessageHandler();
    default:
      return undefined;
  }
}

/** Handlers for the given channels (the import's sources), keyed by channel as the MessageProcessor wants them. */
export function importHandlers(channels: Iterable<string>, mappings: readonly CsvMapping[]): Map<string, MessageHandler> {
  const handlers = new Map<string, MessageHandler>();
  for (const channel of channels) {
    const handler = handlers.has(channel) ? undefined : importHandlerFor(channel, mappings);
    if (handler) handlers.set(channel, handler);
  }
  return handlers;
}
