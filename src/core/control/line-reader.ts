/**
 * Splits a byte stream into '\n'-terminated UTF-8 lines with a hard cap on
 * line length. A line over the cap is reported once (as soon as the cap is
 * crossed, without buffering the rest) and then skipped up to its newline, so
 * one bad line never takes the stream down or grows memory without bound.
 */
export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversize: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.size + piece.length > this.maxLineBytes) {
        this.reset();
        this.onOversize();
        continue;
      }
      const line = this.size === 0 ? piece : Buffer.concat([...this.chunks, piece]);
      this.reset();
      this.onLine(line.toString('utf8'));
    }
  }

  private append(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    if (this.size + piece.length > this.maxLineBytes) {
      this.reset();
      this.skipping = true;
      this.onOversize();
      return;
    }
    this.chunks.push(Buffer.from(piece));
    this.size += piece.length;
  }

  private reset(): void {
    this.chunks = [];
    this.size = 0;
  }
}
