// The ES module build: serve this page's DOM, plus one route of our own at /hello.
import { connect, pageHandler } from '/ptth/client.mjs';

const dom = pageHandler();
const connection = connect({
  handler: (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/hello')
      return new Response('hello from a module', { headers: { 'content-type': 'text/plain' } });
    return dom(request);
  },
});
connection.on('state', (state) => {
  const status = document.getElementById('state');
  status.dataset.state = state;
  status.dataset.id = connection.id ?? '';
  status.textContent = state;
});
