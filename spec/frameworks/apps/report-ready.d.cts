/** Prints `{"port":…,"packages":[…]}` on one line: the app is ready. */
export function reportReady(port: number): void
