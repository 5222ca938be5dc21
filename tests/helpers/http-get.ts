import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
}

/** One request to a server on 127.0.0.1. `target` is sent as written: no URL normalisation (traversal attempts stay as they are). */
export function httpGet(port: number, target: string, agent: http.Agent | false = false, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
