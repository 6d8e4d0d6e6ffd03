/**
 * The Powertools Logger, able to write to another stream. In Lambda nothing changes (stdout and
 * stderr go to CloudWatch); `corridor serve --json` sends the log lines to stderr so that its
 * stdout stays one line, the local.json content a script waits for.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

export class StreamLogger extends Logger {
  private stream: NodeJS.WritableStream | undefined;

  /** Every line from now on goes to `stream`, whatever its level. */
  writeTo(stream: NodeJS.WritableStream): void {
    this.stream = stream;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.stream) return super.printLog(logLevel, log);
    log.prepareForPrint();
    this.stream.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
  }
}
