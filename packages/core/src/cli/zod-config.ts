/**
 * @module cli/zod-config
 * zod compiles a fast parser for each schema on its first use; a command
 * parses a handful of answers, so the compiling costs more than it saves
 * (12 ms of a `dme sync` start-up profile, plus the allocations, on the
 * thread that then downloads and decrypts). Interpreted parsing for the CLI
 * only (the hub keeps compiling). Measured, alternating pairs: a small
 * `dme publish`, median 468 -> 446 ms (12 runs each); `dme sync --once` of
 * 5M rows, faster in 9 of 12 pairs (3.81-4.92 s against 4.04-5.15 s); a
 * 1 GiB publish to a local hub, 3 pairs: 4.77/4.21, 4.14/3.64, 3.65/3.50 s.
 *
 * cli/main imports this module first: zod settles whether a schema may
 * compile when the schema is made, so the setting must precede every schema
 * module. Set in cli/hub-io, it came after the protocol schemas it imports
 * and reached only the few made later: a `dme sync` start-up still spent
 * 13 ms generating parsers.
 */
import { config } from 'zod';

config({ jitless: true });
