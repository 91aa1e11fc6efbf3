// Formatting of the numbers and times the console shows. Pure functions, tested in console-tests.

const DASH = '—';

/** A latency: "850 ms", "2.40 s", "1 min 5 s". */
export function duration(ms) {
  if (ms === null || ms === undefined) {
    return DASH;
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60000) {
    return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  }
  const minutes = Math.floor(ms / 60000);
  return `${minutes} min ${Math.round((ms - minutes * 60000) / 1000)} s`;
}

/** A count: 950, 12.3k, 4.5M. */
export function count(n) {
  if (n === null || n === undefined) {
    return DASH;
  }
  const abs = Math.abs(n);
  if (abs < 1000) {
    return String(n);
  }
  if (abs < 1e6) {
    return `${trim((n / 1000).toFixed(abs < 10000 ? 2 : 1))}k`;
  }
  if (abs < 1e9) {
    return `${trim((n / 1e6).toFixed(abs < 1e7 ? 2 : 1))}M`;
  }
  return `${trim((n / 1e9).toFixed(2))}B`;
}

function trim(text) {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** US dollars: "$0", "$0.00042", "$1.25", "$12,345.60"; never in exponent form. */
export function cost(usd) {
  if (usd === null || usd === undefined) {
    return DASH;
  }
  const value = Number(usd);
  if (value === 0) {
    return '$0';
  }
  if (Math.abs(value) < 0.01) {
    // two significant digits, written out in full
    const digits = Math.min(12, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(value)))));
    return `$${trim(value.toFixed(digits))}`;
  }
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A share: "12.5 %", "0 %". */
export function percent(part, whole) {
  if (!whole) {
    return DASH;
  }
  const value = (100 * part) / whole;
  return `${trim(value.toFixed(value < 100 ? 1 : 0))} %`;
}

/** A time: "14:03:07" today, else "2025-01-31 14:03". */
export function time(iso, { now = new Date(), timeZone } = {}) {
  if (!iso) {
    return DASH;
  }
  const date = new Date(iso);
  const day = (d) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(d);
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit',
    hour12: false }).format(date);
  if (day(date) === day(now)) {
    return clock;
  }
  return `${day(date)} ${clock.slice(0, 5)}`;
}

/** The CSS class of a status: ok, client, server or gone (the client left first). */
export function statusClass(status) {
  if (status === 499) {
    return 'gone';
  }
  if (status >= 500) {
    return 'server';
  }
  if (status >= 400) {
    return 'client';
  }
  return 'ok';
}

/** Tokens of an entry: "120 → 45", or a dash when the answer reported none. */
export function tokens(input, output) {
  if ((input === null || input === undefined) && (output === null || output === undefined)) {
    return DASH;
  }
  return `${count(input ?? 0)} → ${count(output ?? 0)}`;
}

/** A datetime-local input's value (local time) as RFC 3339, or '' when empty. */
export function localInputToIso(value) {
  if (!value) {
    return '';
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** A window or period in seconds: "60 s", "5 min", "1 h", "7 d". */
export function seconds(value) {
  if (value === null || value === undefined) {
    return DASH;
  }
  if (value >= 86400 && value % 86400 === 0) {
    return `${value / 86400} d`;
  }
  if (value >= 3600 && value % 3600 === 0) {
    return `${value / 3600} h`;
  }
  if (value >= 60 && value % 60 === 0) {
    return `${value / 60} min`;
  }
  return `${value} s`;
}
