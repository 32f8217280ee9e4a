// dynalite ships no types (no @types/dynalite): declared here for the calls the tests make.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    path?: string;
    ssl?: boolean;
    verbose?: boolean;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}
