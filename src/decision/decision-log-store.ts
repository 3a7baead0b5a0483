/**
 * Where the decision log is kept, behind one small interface: a local file
 * (the CLI, a single bot process), memory (tests, a bot without storage),
 * or the repository's state branch (bot replicas; built in `src/bot/`).
 * The engine reads every record before a decision and appends after it.
 */
import { formatLogLine, validateLogRecords, type LogRecord } from "./decision-log.js";

/** A decision log store. */
export interface DecisionLogStore {
  /** Where the log is, for messages. */
  readonly name: string;
  /** Every record, in log order. */
  load(): Promise<readonly LogRecord[]>;
  /**
   * Appends records in one write; `at` picks the shard where the store has
   * several. Records that break the line schema are refused before anything
   * is written.
   */
  append(records: readonly LogRecord[], at: Date): Promise<void>;
}

/** A store in memory: gone when the process ends. */
export function createMemoryDecisionLogStore(): DecisionLogStore {
  const records: LogRecord[] = [];
  return {
    name: "memory",
    load: () => Promise.resolve([...records]),
    append(more) {
      try {
        validateLogRecords(more, "memory");
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      // Round-trip through the line format so memory holds exactly what a file would.
      for (const r of more) records.push(JSON.parse(formatLogLine(r)) as LogRecord);
      return Promise.resolve();
    },
  };
}
