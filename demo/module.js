// The ES module build with a router: one computed resource at /hello, the page's DOM for the rest.
import { connect, pageHandler, router } from '/ptth/client.mjs';

const app = router()
  .get('/hello', () => new Response('hello from a module', { headers: { 'content-type': 'text/plain' } }))
  .get('/hello/:name', (_request, { name }) => new Response(`hello, ${name}`))
  .mount(pageHandler());

const connection = connect({ handler: app });
connection.on('state', (state) => {
  const status = document.getElementById('state');
  status.dataset.state = state;
  status.dataset.id = connection.id ?? '';
  status.textContent = state;
});
