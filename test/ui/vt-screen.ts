/**
 * A minimal VT100 screen for tests: applies the escape sequences Ink and
 * runDashboard emit (cursor moves, erase, alternate screen, scrolling) to a
 * grid of cells so a test can assert what a real terminal would show.
 * Not a general emulator: every character takes one column, and sequences it
 * does not know are recorded in `unknown` so a test can fail on them.
 */
export class VtScreen {
  readonly cols: number;
  readonly rows: number;
  private grid: string[][];
  private saved: string[][] | undefined;
  x = 0;
  y = 0;
  /** Times the whole screen was cleared (ESC[2J) after the first draw. */
  clears = 0;
  /** Lines that scrolled off the top. */
  scrolled = 0;
  altScreen = false;
  cursorVisible = true;
  autowrap = true;
  /** DEC mode 2004: the terminal wraps pastes in ESC[200~ … ESC[201~. */
  bracketedPaste = false;
  readonly unknown: string[] = [];
  title: string | undefined;

  constructor(cols: number, rows: number) {
    this.cols = cols;
    this.rows = rows;
    this.grid = VtScreen.blank(cols, rows);
  }

  private static blank(cols: number, rows: number): string[][] {
    return Array.from({ length: rows }, () => Array.from({ length: cols }, () => ' '));
  }

  /** The screen as text, trailing spaces trimmed. */
  text(): string {
    return this.grid.map((r) => r.join('').trimEnd()).join('\n');
  }

  line(n: number): string {
    return (this.grid[n] ?? []).join('').trimEnd();
  }

  private lineFeed(): void {
    if (this.y === this.rows - 1) {
      this.grid.shift();
      this.grid.push(Array.from({ length: this.cols }, () => ' '));
      this.scrolled++;
    } else {
      this.y++;
    }
  }

  private put(ch: string): void {
    if (this.x >= this.cols && !this.autowrap) this.x = this.cols - 1; // DECAWM off: overwrite the last column
    if (this.x >= this.cols) {
      // Pending wrap (xterm autowrap).
      this.x = 0;
      this.lineFeed();
    }
    const row = this.grid[this.y];
    if (row) row[this.x] = ch;
    this.x++;
  }

  private eraseLine(mode: number): void {
    const row = this.grid[this.y];
    if (!row) return;
    const from = mode === 0 ? this.x : 0;
    const to = mode === 1 ? this.x + 1 : this.cols;
    for (let i = from; i < Math.min(to, this.cols); i++) row[i] = ' ';
  }

  write(data: string): void {
    let i = 0;
    const chars = [...data];
    while (i < chars.length) {
      const ch = chars[i]!;
      if (ch === '\x1b') {
        const next = chars[i + 1];
        if (next === '[') {
          let j = i + 2;
          let params = '';
          while (j < chars.length && /[0-9;?<>=]/.test(chars[j]!)) params += chars[j++];
          const final = chars[j] ?? '';
          this.csi(params, final);
          i = j + 1;
          continue;
        }
        if (next === ']') {
          // OSC: up to BEL or ST.
          let j = i + 2;
          let body = '';
          while (j < chars.length && chars[j] !== '\x07' && !(chars[j] === '\x1b' && chars[j + 1] === '\\')) body += chars[j++];
          if (body.startsWith('0;') || body.startsWith('2;')) this.title = body.slice(2);
          else this.unknown.push(`OSC ${body}`);
          i = chars[j] === '\x07' ? j + 1 : j + 2;
          continue;
        }
        this.unknown.push(`ESC ${next ?? ''}`);
        i += 2;
        continue;
      }
      if (ch === '\n') {
        // ONLCR: the tty driver turns LF into CR LF.
        this.x = 0;
        this.lineFeed();
      } else if (ch === '\r') {
        this.x = 0;
      } else if (ch === '\x07') {
        this.unknown.push('BEL');
      } else if (ch < ' ' || ch === '\x7f' || (ch >= '\x80' && ch <= '\x9f')) {
        this.unknown.push(`C0/C1 ${ch.charCodeAt(0).toString(16)}`);
      } else {
        this.put(ch);
      }
      i++;
    }
  }

  private csi(params: string, final: string): void {
    const priv = params.startsWith('?');
    const nums = (priv ? params.slice(1) : params).split(';').map((p) => (p === '' ? NaN : Number(p)));
    const n = (k: number, d: number): number => {
      const v = nums[k];
      return v === undefined || Number.isNaN(v) ? d : v;
    };
    if (priv) {
      const code = n(0, 0);
      if (code === 1049) {
        if (final === 'h' && !this.altScreen) {
          this.saved = this.grid;
          this.grid = VtScreen.blank(this.cols, this.rows);
          this.altScreen = true;
        } else if (final === 'l' && this.altScreen) {
          this.grid = this.saved ?? VtScreen.blank(this.cols, this.rows);
          this.altScreen = false;
        }
      } else if (code === 25) {
        this.cursorVisible = final === 'h';
      } else if (code === 7) {
        this.autowrap = final === 'h';
      } else if (code === 2004) {
        this.bracketedPaste = final === 'h';
      } else if (code !== 2026 && code !== 1000 && code !== 1002 && code !== 1003 && code !== 1006) {
        this.unknown.push(`CSI ?${params.slice(1)}${final}`);
      }
      return;
    }
    switch (final) {
      case 'A':
        this.y = Math.max(0, this.y - n(0, 1));
        break;
      case 'B':
        this.y = Math.min(this.rows - 1, this.y + n(0, 1));
        break;
      case 'C':
        this.x = Math.min(this.cols - 1, this.x + n(0, 1));
        break;
      case 'D':
        this.x = Math.max(0, this.x - n(0, 1));
        break;
      case 'E':
        this.y = Math.min(this.rows - 1, this.y + n(0, 1));
        this.x = 0;
        break;
      case 'F':
        this.y = Math.max(0, this.y - n(0, 1));
        this.x = 0;
        break;
      case 'G':
        this.x = Math.min(this.cols - 1, n(0, 1) - 1);
        break;
      case 'H':
      case 'f':
        this.y = Math.min(this.rows - 1, n(0, 1) - 1);
        this.x = Math.min(this.cols - 1, n(1, 1) - 1);
        break;
      case 'K':
        this.eraseLine(n(0, 0));
        break;
      case 'J': {
        const mode = n(0, 0);
        if (mode === 2 || mode === 3) {
          this.grid = VtScreen.blank(this.cols, this.rows);
          if (mode === 2) this.clears++;
        } else if (mode === 0) {
          this.eraseLine(0);
          for (let r = this.y + 1; r < this.rows; r++) this.grid[r] = Array.from({ length: this.cols }, () => ' ');
        }
        break;
      }
      case 'm':
        break; // colours: ignored on screen
      default:
        this.unknown.push(`CSI ${params}${final}`);
    }
  }
}
