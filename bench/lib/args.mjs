// Command-line flags of `npm run bench`.
export const USAGE = `Usage: npm run bench -- [flags]

  --size N        payload size (default 1G); suffixes K, M, G (binary: 64M = 64 MiB) or plain bytes
  --runs N        timed runs of every case (default 3), alternated A B C … A B C …
  --quick         smoke run: --size 64M --runs 1, smaller memory touch, tiny warm-up
  --files N       small files for case 7 (default 10000)
  --file-size N   size of each small file (default 4K)
  --cases LIST    comma-separated subset of: openssl,node,scp,peerdeck,dashboard,resume,files,latency (default all),
                  or preauth (session open time under a pre-auth flood; run only when named),
                  or lib (library bytes connections, 1 KiB and 1 MiB messages, beside a bare Node TLS pipe;
                  run only when named)
  --touch N       memory to touch once before timing (default: 8G, 2G with --quick; 0 = skip)
  --no-prefault   do not write-and-delete 2 × the payload in /dev/shm right before every timed run
  --no-quiet-vm   leave DAMON's reclaim and free page reporting running (the default, as root, pauses
                  them for the run and restores them at exit; see lib/vm-quiet.mjs)
  --no-warmup     skip the untimed warm-up round
  --keep          keep the temp dir (sources, sinks, logs) for inspection
  --out FILE      JSON output (default bench/results/latest.json)
  --help          this text
`;

export function parseSize(text, flag) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?$/i.exec(String(text).trim());
  if (!m) throw new Error(`${flag}: expected a size like 64M, 1G or 1048576, got ${JSON.stringify(text)}`);
  const mult = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2].toUpperCase()];
  const n = Math.round(Number(m[1]) * mult);
  if (!Number.isSafeInteger(n)) throw new Error(`${flag}: size out of range`);
  return n;
}

export const ALL_CASES = ['openssl', 'node', 'scp', 'peerdeck', 'dashboard', 'resume', 'files', 'latency'];
/** Cases outside the throughput table, run only when named in --cases. */
export const EXTRA_CASES = ['preauth', 'lib'];

export function parseArgs(argv) {
  const o = { size: undefined, runs: undefined, quick: false, files: 10_000, fileSize: 4096, cases: ALL_CASES, touch: undefined, prefault: true, quietVm: true, warmup: true, keep: false, out: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    const val = () => { if (v !== undefined) return v; if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--size': o.size = parseSize(val(), a); break;
      case '--runs': o.runs = Number(val()); if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive integer'); break;
      case '--quick': o.quick = true; break;
      case '--files': o.files = Number(val()); if (!Number.isInteger(o.files) || o.files < 1) throw new Error('--files must be a positive integer'); break;
      case '--file-size': o.fileSize = parseSize(val(), a); break;
      case '--cases': {
        o.cases = val().split(',').map((s) => s.trim()).filter(Boolean);
        const bad = o.cases.filter((c) => !ALL_CASES.includes(c) && !EXTRA_CASES.includes(c));
        if (bad.length) throw new Error(`--cases: unknown ${bad.join(', ')} (known: ${[...ALL_CASES, ...EXTRA_CASES].join(', ')})`);
        break;
      }
      case '--touch': o.touch = parseSize(val(), a); break;
      case '--no-warmup': o.warmup = false; break;
      case '--no-prefault': o.prefault = false; break;
      case '--no-quiet-vm': o.quietVm = false; break;
      case '--keep': o.keep = true; break;
      case '--out': o.out = val(); break;
      case '--help': case '-h': o.help = true; break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  if (o.quick) { o.size ??= 64 * 2 ** 20; o.runs ??= 1; o.touch ??= 2 * 2 ** 30; }
  o.size ??= 2 ** 30;
  o.runs ??= 3;
  o.touch ??= 8 * 2 ** 30;
  return o;
}
