// Starts the telegram-test-api Bot API emulator on 127.0.0.1 and a free port chosen by the OS.
// Prints one JSON line {"port": N} when ready; exits on SIGTERM or when stdin closes, so the
// emulator never outlives the test that started it.
'use strict';

const http = require('http');
const TelegramServer = require('telegram-test-api');

// Known gap: a webhook that dies would otherwise crash the whole process.
process.on('unhandledRejection', (error) => {
  console.error(`emulator: unhandled rejection: ${error}`);
});

const emulator = new TelegramServer({ host: '127.0.0.1', storeTimeout: 600 });
// TelegramServer.start() treats port 0 as "use 9000", so listen ourselves to get a free port.
const server = http.createServer(emulator.webServer);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
