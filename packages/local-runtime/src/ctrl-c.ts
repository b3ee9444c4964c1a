/** The shell's code for a command ended by Ctrl-C (128 + SIGINT). */
export const interruptedExitCode = 130;

/**
 * Ctrl-C (SIGINT) aborts the signal answered, saying `stopping` on stderr, instead of ending the process: the
 * command starts nothing further and says what it did. A repeated SIGINT asks the same: tsx relays the
 * terminal's Ctrl-C to this process as well, so one Ctrl-C can arrive twice.
 */
export function stopOnCtrlC(stopping: string): AbortSignal {
  const interrupted = new AbortController();
  process.on('SIGINT', () => {
    if (interrupted.signal.aborted) return;
    interrupted.abort();
    console.error(stopping);
  });
  return interrupted.signal;
}
