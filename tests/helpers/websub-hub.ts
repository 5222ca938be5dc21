import { startServer, type TestServer } from './server.ts';

// A small WebSub hub for the subscriber tests: it records each subscription
// request, answers 202, then verifies the subscriber's intent (W3C WebSub
// §5.3) after answering, as hubs do.

export interface SubscribeRequest {
  callback: string;
  topic: string;
  secret: string;
  /** hub.lease_seconds as the subscriber asked for it. */
  lease: string;
  /** What the callback answered to the verification: the challenge echoed, or not. */
  verified?: boolean;
}

export interface TestHub {
  server: TestServer;
  /** Every subscription request, in arrival order. */
  subscriptions: SubscribeRequest[];
}

/** `leaseSeconds` is read at each verification: the lease the hub grants then. */
export async function startTestHub(leaseSeconds: () => number = () => 3600): Promise<TestHub> {
  const subscriptions: SubscribeRequest[] = [];
  const server = await startServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      if (req.method !== 'POST' || form.get('hub.mode') !== 'subscribe') return void res.writeHead(400).end();
      const sub: SubscribeRequest = {
        callback: form.get('hub.callback') ?? '',
        topic: form.get('hub.topic') ?? '',
        secret: form.get('hub.secret') ?? '',
        lease: form.get('hub.lease_seconds') ?? '',
      };
      subscriptions.push(sub);
      res.writeHead(202).end();
      setTimeout(async () => {
        const challenge = `challenge-${subscriptions.length}-${Math.random()}`;
        const url = new URL(sub.callback);
        url.search = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': sub.topic, 'hub.challenge': challenge, 'hub.lease_seconds': String(leaseSeconds()) }).toString();
        const r = await fetch(url).catch(() => undefined);
        sub.verified = r?.status === 200 && (await r.text()) === challenge;
      }, 50);
    });
  });
  return { server, subscriptions };
}

const hubItem = (n: number) => `<item><title>Post ${n}</title><link>https://src.example/${n}</link><guid>https://src.example/${n}</guid></item>`;

/** An RSS source feed that names its hub and itself (as WebSub publishers do), with items `Post n`. */
export function hubFeed(hubUrl: string, selfUrl: string, items: readonly number[]): string {
  return `<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Source</title><link>https://src.example/</link>
<atom:link rel="hub" href="${hubUrl}"/><atom:link rel="self" href="${selfUrl}"/>
${items.map(hubItem).join('\n')}
</channel></rss>`;
}
