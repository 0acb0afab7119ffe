/** Step-by-step progress for a person watching the demo: one line per step with its duration. */
export class Progress {
  private readonly started = Date.now();
  constructor(private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async step<T>(title: string, work: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    const begun = Date.now();
    this.out(`… ${title}`);
    const result = await work();
    const extra = detail ? ` — ${detail(result)}` : '';
    this.out(`✔ ${title} (${((Date.now() - begun) / 1000).toFixed(1)} s)${extra}`);
    return result;
  }

  note(line: string): void {
    this.out(`  ${line}`);
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}
