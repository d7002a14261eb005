/** The Chromium binary to launch. */
export declare const chromiumPath: string;
/** Flags for a headless run on a machine with no network but loopback, as root. */
export declare const chromiumArgs: string[];
