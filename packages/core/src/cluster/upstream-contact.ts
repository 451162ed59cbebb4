// When a running standby lost contact with its upstream, for `status`: "disconnected since T".

// What a standby's server log says when it starts streaming, and when its walreceiver loses or cannot get the
// connection (PostgreSQL's own English messages; the tool runs servers with lc_messages from the C locale).
const STREAMING_STARTED = /started streaming WAL from primary/;
const CONTACT_LOST = [
  /could not receive data from WAL stream/,
  /terminating walreceiver due to timeout/,
  /terminating walreceiver process due to administrator command/,
  /could not connect to the primary server/,
  /replication terminated by primary server/,
  /could not send data to WAL stream/,
  /could not start WAL streaming/,
];
// The timestamp log_line_prefix puts first by default (%m: "2026-12-05 12:00:00.123 UTC").
const LINE_TIME = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z+\-0-9]+)?) /;

// The time of the first lost-contact message after the standby last started streaming, from its server log's
// tail; undefined when the log does not say (no such message, or a log_line_prefix without a timestamp first).
export function disconnectedSince(logTail: string): string | undefined {
  const lines = logTail.split('\n');
  let since: string | undefined;
  for (const line of lines) {
    if (STREAMING_STARTED.test(line)) since = undefined;
    else if (since === undefined && CONTACT_LOST.some((re) => re.test(line))) since = LINE_TIME.exec(line)?.[1] ?? since;
  }
  return since;
}

// A walreceiver that says it streams but has heard nothing from its upstream for longer than it lets pass before
// asking (half of wal_receiver_timeout, plus slack): the link may be a black hole. The time of the last message, or
// undefined when it is recent enough (or unknown).
export function silentSince(lastMessage: Date | null, receiverTimeoutMs: number, now: Date = new Date()): string | undefined {
  if (!lastMessage || receiverTimeoutMs <= 0) return undefined;
  const allowed = receiverTimeoutMs / 2 + 5000;
  return now.getTime() - lastMessage.getTime() > allowed ? lastMessage.toISOString() : undefined;
}
