import { LitElement, html, css } from 'lit';
import { JsonRpc } from 'jsonrpc';
import '@vaadin/grid';
import '@vaadin/grid/vaadin-grid-sort-column.js';
import '@vaadin/button';
import '@vaadin/text-field';

/**
 * Keyed state in dev mode: the shards this instance owns, the checkpoints in storage, and a
 * savepoint of every owned shard.
 */
export class QwcKeyedState extends LitElement {

    jsonRpc = new JsonRpc(this);

    static styles = css`
        .section { padding: 10px; }
        .savepoint { display: flex; gap: 10px; align-items: baseline; }
        .message { color: var(--lumo-secondary-text-color); }
    `;

    static properties = {
        _shards: { state: true },
        _checkpoints: { state: true },
        _savepointName: { state: true },
        _message: { state: true },
    };

    constructor() {
        super();
        this._shards = [];
        this._checkpoints = [];
        this._savepointName = '';
        this._message = '';
    }

    connectedCallback() {
        super.connectedCallback();
        this._refresh();
    }

    _refresh() {
        this.jsonRpc.getShards().then(response => { this._shards = response.result; });
        this.jsonRpc.getCheckpoints().then(response => { this._checkpoints = response.result; });
    }

    _takeSavepoint() {
        const name = this._savepointName.trim();
        if (!name) {
            this._message = 'Name the savepoint first.';
            return;
        }
        this._message = `Taking savepoint ${name}...`;
        this.jsonRpc.takeSavepoint({ name: name })
            .then(response => {
                this._message = `Savepoint ${name} taken: ${response.result.join(', ')}`;
                this._refresh();
            })
            .catch(error => { this._message = `Savepoint ${name} not taken: ${error.error?.message ?? error}`; });
    }

    render() {
        return html`
            <div class="section">
                <h4>Shards this instance owns</h4>
                <vaadin-grid .items=${this._shards} theme="row-stripes" all-rows-visible>
                    <vaadin-grid-sort-column path="channel"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="partition"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="backend"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="status"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="stateBytes" header="State (bytes)"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="keys"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="timersPending" header="Timers pending"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="lastCheckpoint" header="Last checkpoint"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="lastCheckpointAgeSeconds" header="Age (s)"></vaadin-grid-sort-column>
                </vaadin-grid>
                <vaadin-button @click=${() => this._refresh()}>Refresh</vaadin-button>
            </div>
            <div class="section savepoint">
                <vaadin-text-field label="Savepoint name" .value=${this._savepointName}
                    @value-changed=${e => { this._savepointName = e.detail.value; }}></vaadin-text-field>
                <vaadin-button theme="primary" @click=${() => this._takeSavepoint()}>Take savepoint</vaadin-button>
                <span class="message">${this._message}</span>
            </div>
            <div class="section">
                <h4>Checkpoints and savepoints in storage</h4>
                <vaadin-grid .items=${this._checkpoints} theme="row-stripes" all-rows-visible>
                    <vaadin-grid-sort-column path="folder"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="id"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="savepoint"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="createdAt" header="Created"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="offsets"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="files"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="totalBytes" header="Total (bytes)"></vaadin-grid-sort-column>
                    <vaadin-grid-sort-column path="uploadedBytes" header="Uploaded (bytes)"></vaadin-grid-sort-column>
                </vaadin-grid>
            </div>
        `;
    }
}
customElements.define('qwc-keyed-state', QwcKeyedState);
