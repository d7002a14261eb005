// The demo page's own script: shows the connection and a live log of the reverse requests it
// answers (window.ptth keeps the last 100 in ptth.log; this table shows the last 50).
const connection = window.ptth.connection;
const status = document.getElementById('status');
const curl = document.getElementById('curl');
const log = document.querySelector('#log tbody');

function showState(state) {
  status.dataset.state = state;
  status.textContent = connection.id ? `${state} as client ${connection.id}` : state;
  if (connection.id) {
    const base = `${location.origin}/ptth/clients/${connection.id}`;
    curl.textContent = [
      `curl ${base}/html/body/header/h1`,
      `curl -X PUT -H 'content-type: text/html' --data '<h1 id="title">Hi!</h1>' ${base}/html/body/header/h1`,
      `curl -g "${base}//ul[@id='todo']/li[1]"`,
      `curl ${base}/count\\(//li\\)`,
    ].join('\n');
  }
}

function showRequest(record) {
  const row = document.createElement('tr');
  row.className = `status-${String(record.status)[0]}xx`;
  let path = record.path;
  try {
    path = decodeURI(path);
  } catch {}
  const cells = [new Date(record.at).toLocaleTimeString(), record.method, path, record.status, record.ms.toFixed(1)];
  for (const value of cells) {
    const cell = document.createElement('td');
    cell.textContent = String(value);
    row.append(cell);
  }
  log.prepend(row);
  while (log.rows.length > 50) log.deleteRow(-1);
}

connection.on('state', showState);
// Requests answered before this script ran are in ptth.log already; later ones arrive as events.
for (const record of window.ptth.log) showRequest(record);
connection.on('request', showRequest);
showState(connection.state);
