import { useState } from 'preact/hooks';
import { apiKey, setApiKey } from '../api.js';

/** Only a server with tenants needs a key; it is kept in this tab's sessionStorage and sent with every request. */
export function ApiKeyField() {
  const [draft, setDraft] = useState(apiKey.value);
  return (
    <form
      class="api-key"
      onSubmit={(event) => {
        event.preventDefault();
        setApiKey(draft);
      }}
    >
      <label>
        API key
        <input
          type="password"
          autocomplete="off"
          data-testid="api-key"
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
      </label>
      <button type="submit" data-testid="save-api-key">
        {apiKey.value ? 'Change key' : 'Use key'}
      </button>
    </form>
  );
}
