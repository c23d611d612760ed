import { ApiKeyField } from './components/api-key-field.js';
import { hrefOf, route } from './router.js';
import { AccountsView } from './views/accounts-view.js';
import { HistoryView } from './views/history-view.js';
import { OperationView } from './views/operation-view.js';
import { VideosView } from './views/videos-view.js';

export function App() {
  const current = route.value;
  const section = current.view === 'history' || current.view === 'operation' ? 'history' : 'accounts';
  return (
    <>
      <header class="top">
        <strong class="brand">unreel</strong>
        <nav aria-label="Views">
          <a href={hrefOf({ view: 'accounts' })} aria-current={section === 'accounts' ? 'page' : undefined}>
            Accounts
          </a>
          <a href={hrefOf({ view: 'history' })} aria-current={section === 'history' ? 'page' : undefined}>
            History
          </a>
        </nav>
        <ApiKeyField />
      </header>
      <main>
        {current.view === 'accounts' && <AccountsView />}
        {current.view === 'videos' && <VideosView key={current.account} account={current.account} />}
        {current.view === 'operation' && <OperationView key={current.operationId} operationId={current.operationId} />}
        {current.view === 'history' && <HistoryView />}
      </main>
    </>
  );
}
