// JSON log lines in the same shape as the API's (level, message, data).

type Level = 'INFO' | 'WARN' | 'ERROR';

function write(level: Level, message: string, data?: Record<string, unknown>) {
  const line = JSON.stringify({ level, service: 'consort-web', timestamp: new Date().toISOString(), message, ...data });
  if (level === 'ERROR') console.error(line);
  else console.log(line);
}

export const log = {
  info: (message: string, data?: Record<string, unknown>) => write('INFO', message, data),
  warn: (message: string, data?: Record<string, unknown>) => write('WARN', message, data),
  error: (message: string, data?: Record<string, unknown>) => write('ERROR', message, data),
};
