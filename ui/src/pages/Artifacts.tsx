/** Artifacts: upload (drag and drop, with progress), list with SHA-1, download, delete. */
import { useRef, useState, type DragEvent } from 'react'
import { authHeaders, download, tokenRefused } from '../api/token.js'
import { api, ok } from '../api/client.js'
import { Empty, Page, Problem } from '../components/common.js'
import { bytes, when } from '../lib/format.js'
import { useLoad } from '../lib/use.js'

const encoded = (name: string) => encodeURIComponent(name)

interface Detailed {
  name: string
  size: number
  sha1: string
  modified: number
}

export function Artifacts() {
  const list = useLoad(async () => (await ok(api.GET('/v2/api/artifacts', { params: { query: { details: 'true' } } }))) as Detailed[], [])
  const [progress, setProgress] = useState<number | undefined>(undefined)
  const [problem, setProblem] = useState<string | undefined>(undefined)
  const [over, setOver] = useState(false)
  const input = useRef<HTMLInputElement>(null)

  const upload = (file: File) => {
    setProblem(undefined)
    const form = new FormData()
    form.append('file', file)
    // XMLHttpRequest, not fetch: only it reports upload progress.
    const request = new XMLHttpRequest()
    request.open('POST', '/v2/api/artifacts')
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value)
    request.upload.onprogress = (event) => event.lengthComputable && setProgress(event.loaded / event.total)
    request.onload = () => {
      setProgress(undefined)
      if (request.status >= 400) {
        // A success answers the stored name as text; only a refusal is problem details.
        const detail = problemDetail(request.responseText) ?? `${request.status} ${request.statusText}`
        if (request.status === 401) tokenRefused(detail)
        setProblem(`${detail} (${file.name})`)
      }
      list.reload()
    }
    request.onerror = () => {
      setProgress(undefined)
      setProblem(`the upload of ${file.name} failed: the server cannot be reached`)
    }
    setProgress(0)
    request.send(form)
  }
  const drop = (event: DragEvent) => {
    event.preventDefault()
    setOver(false)
    const file = event.dataTransfer.files[0]
    if (file) upload(file)
  }
  const remove = (name: string) => {
    if (!confirm(`Delete artifact ${name}?`)) return
    ok(api.DELETE('/v2/api/artifacts/{name}', { params: { path: { name } }, parseAs: 'text' })).then(list.reload, (error: unknown) => setProblem((error as Error).message))
  }

  return (
    <Page title="Artifacts">
      <div
        className={`dropzone ${over ? 'over' : ''}`}
        onDragOver={(event) => {
          event.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        Drop a .py, .zip, .egg or .jar here, or{' '}
        <button type="button" onClick={() => input.current?.click()}>
          choose a file
        </button>
        <input ref={input} type="file" hidden data-testid="artifact-file" onChange={(event) => event.target.files?.[0] && upload(event.target.files[0])} />
        {progress !== undefined && <progress value={progress} max={1} />}
      </div>
      <Problem text={list.error ?? problem} />
      {list.data && list.data.length === 0 && <Empty>No artifacts yet.</Empty>}
      {list.data && list.data.length > 0 && (
        <table className="list" data-testid="artifacts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Uploaded</th>
              <th>SHA-1</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((artifact) => (
              <tr key={artifact.name} data-artifact={artifact.name}>
                <td>
                  <a
                    href={`/v2/api/artifacts/${encoded(artifact.name)}`}
                    onClick={(event) => {
                      // A plain link cannot send the API token.
                      event.preventDefault()
                      download(`/v2/api/artifacts/${encoded(artifact.name)}`, artifact.name).catch((error: unknown) => setProblem(`${(error as Error).message} (${artifact.name})`))
                    }}
                  >
                    {artifact.name}
                  </a>
                </td>
                <td>{bytes(artifact.size)}</td>
                <td>{when(artifact.modified)}</td>
                <td className="mono muted">{artifact.sha1}</td>
                <td>
                  <button type="button" className="danger" onClick={() => remove(artifact.name)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  )
}

function problemDetail(text: string): string | undefined {
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail
    return typeof detail === 'string' ? detail : undefined
  } catch {
    return undefined
  }
}
