// A small Node HTTP service: GET / answers a JSON body. Started in the background by the workflow.
//   node server.js [port]   (default 8080)
import http from 'node:http';

const port = Number(process.argv[2] ?? 8080);

http
  .createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'ok', path: req.url }));
  })
  .listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
