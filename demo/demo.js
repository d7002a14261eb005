// The demo page's own script: shows the connection and a log of the reverse requests it answers.
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

connection.on('state', showState);
connection.on('request', (record) => {
  const row = document.createElement('tr');
  const cells = [new Date().toLocaleTimeString(), record.method, record.path, record.status, record.ms.toFixed(1)];
  for (const value of cells) {
    const cell = document.createElement('td');
    cell.textContent = String(value);
    row.append(cell);
  }
  log.prepend(row);
  while (log.rows.length > 50) log.deleteRow(-1);
});
showState(connection.state);
