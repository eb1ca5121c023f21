// Types for secrets-sweep.mjs, imported by its unit test.
export interface LedgerEntry {
  kind: string;
  value: string;
}
export interface Leak {
  file: string;
  kind: string;
  count: number;
}
export declare function findLeaks(ledger: LedgerEntry[], logs: Array<{ name: string; text: string }>): Leak[];
export declare function readLedger(runDir: string): LedgerEntry[];
export declare function logFilesIn(places: string[], ledgerDir?: string): string[];
export declare function sweep(runDir: string, extraPlaces?: string[], print?: (line: string) => void): number;
