/**
 * One job: its arguments, a timeline (queued → started → ended, and how long each took), its
 * result or error as exact pretty JSON, its log lines live (level filter, follow mode), Cancel
 * and Run again.
 */
import { parse, stringify } from 'lossless-json'
import { authFetch, download } from '../api/token.js'
import { useEffect, useRef, useState } from 'react'
import { isTerminal } from '../../../src/domain/job.js'
import { api, ok, startJob, type Job } from '../api/client.js'
import { JsonView, Page, Problem, StatusBadge } from '../components/common.js'
import { took, when } from '../lib/format.js'
import { applyFrame, statusOfEvent } from '../lib/jobs.js'
import { useJobStream, type Frame } from '../lib/live.js'
import { Link, navigate, path } from '../lib/router.js'

interface Exact {
  job: Job
  /** Arguments and result as exact pretty JSON (a big integer stays whole). */
  argumentsText: string
  resultText: string | undefined
}

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const
type Level = (typeof LEVELS)[number]
interface LogLine {
  level: Level
  text: string
}

async function loadExact(id: string): Promise<Exact> {
  const response = await authFetch(`/v2/api/jobs/${encodeURIComponent(id)}`)
  const text = await response.text()
  if (!response.ok) throw new Error((JSON.parse(text) as { detail?: string }).detail ?? `${response.status}`)
  const exact = parse(text) as { params: { arguments: unknown }; jobResult?: unknown }
  return {
    job: JSON.parse(text) as Job,
    argumentsText: stringify(exact.params.arguments, undefined, 2) ?? '{}',
    resultText: exact.jobResult === undefined ? undefined : stringify(exact.jobResult, undefined, 2),
  }
}

function readLogText(text: string): LogLine[] {
  const lines: LogLine[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const level = LEVELS.find((name) => line.startsWith(`${name} `))
    lines.push({ level: level ?? lines.at(-1)?.level ?? 'INFO', text: line })
  }
  return lines
}

export function JobPage({ id }: { id: string }) {
  const [exact, setExact] = useState<Exact | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [actionError, setActionError] = useState<string | undefined>(undefined)
  const [logs, setLogs] = useState<LogLine[]>([])
  const [minLevel, setMinLevel] = useState<Level>('DEBUG')
  const [follow, setFollow] = useState(true)
  const logBytes = useRef<number | undefined>(undefined)
  const pending = useRef<Frame[]>([])
  const logBox = useRef<HTMLPreElement>(null)

  const reload = () => loadExact(id).then(setExact, (thrown: unknown) => setError((thrown as Error).message))
  const appendFrame = (frame: Frame) => {
    const offset = typeof frame.fileOffset === 'number' ? frame.fileOffset : undefined
    if (logBytes.current === undefined) return void pending.current.push(frame)
    if (offset !== undefined && offset <= logBytes.current) return
    const events = (frame.events as { from: string; message: string; timeStamp: number; level: number }[] | undefined) ?? []
    const lines = events.map((event) => ({
      level: LEVELS[event.level - 1] ?? 'INFO',
      text: `${LEVELS[event.level - 1] ?? 'INFO'} ${new Date(event.timeStamp).toISOString().replace(/Z$/, '')} [${event.from}] ${event.message}`,
    }))
    if (offset !== undefined) logBytes.current = offset
    setLogs((before) => [...before, ...lines])
  }

  useEffect(() => {
    void reload()
    void authFetch(`/v2/api/jobs/${encodeURIComponent(id)}/logs`)
      .then((response) => (response.ok ? response.text() : ''))
      .then((text) => {
        logBytes.current = new TextEncoder().encode(text).length
        setLogs(readLogText(text))
        const waiting = pending.current
        pending.current = []
        waiting.forEach(appendFrame)
      })
  }, [id])

  const stream = useJobStream(id, (frame) => {
    if (frame.event === 'logs') return appendFrame(frame)
    setExact((current) => current && { ...current, job: applyFrame(current.job, frame) })
    // The end brings the result; the stored job has it exactly.
    const status = statusOfEvent(frame.event)
    if (status && isTerminal(status)) void reload()
  })

  useEffect(() => {
    if (follow && logBox.current) logBox.current.scrollTop = logBox.current.scrollHeight
  }, [logs, follow])

  if (error) return <Page title="Job"><Problem text={error} /></Page>
  if (!exact) return <Page title="Job"><p className="muted">Loading…</p></Page>
  const { job } = exact
  const ended = isTerminal(job.status)

  const cancel = () => {
    setActionError(undefined)
    ok(api.DELETE('/v2/api/jobs/{id}', { params: { path: { id } } })).then(() => void reload(), (thrown: unknown) => setActionError((thrown as Error).message))
  }
  const runAgain = () => {
    setActionError(undefined)
    startJob(job.function, new URLSearchParams({ context: job.context }), exact.argumentsText)
      .then((id) => navigate(path.job(id)))
      .catch((thrown: unknown) => setActionError((thrown as Error).message))
  }
  const shown = logs.filter((line) => LEVELS.indexOf(line.level) >= LEVELS.indexOf(minLevel))
  const queuedAt = job.createTime
  const steps = [
    { label: 'created', at: job.createTime, took: undefined },
    { label: 'started', at: job.startTime, took: `waited ${took(queuedAt, job.startTime)}` },
    { label: ended ? job.status : 'ends', at: job.endTime, took: job.startTime === undefined ? `after ${took(queuedAt, job.endTime)}` : `ran ${took(job.startTime, job.endTime)}` },
  ]

  return (
    <Page
      title={
        <>
          Job <span className="mono">{job.jobId}</span> <StatusBadge status={job.status} />
        </>
      }
      actions={
        <>
          {!ended && (
            <button type="button" className="danger" onClick={cancel}>
              Cancel
            </button>
          )}
          <button type="button" onClick={runAgain}>
            Run again
          </button>
        </>
      }
    >
      <Problem text={actionError} />
      <dl className="facts">
        <dt>Function</dt>
        <dd>
          <Link to={path.fn(job.function)}>{job.function}</Link>
        </dd>
        <dt>Context</dt>
        <dd>
          <Link to={path.context(job.context)}>{job.context}</Link>
        </dd>
        <dt>Source</dt>
        <dd>{job.source}</dd>
        {job.externalId && (
          <>
            <dt>External id</dt>
            <dd>{job.externalId}</dd>
          </>
        )}
        <dt>Worker</dt>
        <dd>{job.workerId ? <Link to={path.worker(job.workerId)}>{job.workerId}</Link> : '–'}</dd>
        <dt>Live</dt>
        <dd>{stream}</dd>
      </dl>
      <ol className="timeline" data-testid="timeline">
        {steps.map((step) => (
          <li key={step.label} className={step.at === undefined ? 'todo' : 'done'}>
            <strong>{step.label}</strong> {when(step.at)}
            {step.took && step.at !== undefined && <span className="muted"> {step.took}</span>}
          </li>
        ))}
      </ol>
      <h2>Arguments</h2>
      <JsonView text={exact.argumentsText} name={`${job.jobId}-arguments`} />
      {exact.resultText !== undefined && (
        <>
          <h2>{job.status === 'finished' ? 'Result' : 'Error'}</h2>
          {job.status === 'finished' ? (
            <div data-testid="result">
              <JsonView text={exact.resultText} name={`${job.jobId}-result`} />
            </div>
          ) : (
            <pre className="error-text" data-testid="error">
              {typeof job.jobResult === 'string' ? job.jobResult : exact.resultText}
            </pre>
          )}
        </>
      )}
      <h2>Logs</h2>
      <div className="log-tools">
        <label>
          Level{' '}
          <select value={minLevel} onChange={(event) => setMinLevel(event.target.value as Level)}>
            {LEVELS.map((level) => (
              <option key={level}>{level}</option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} /> Follow
        </label>
        <a
          href={`/v2/api/jobs/${encodeURIComponent(job.jobId)}/logs`}
          onClick={(event) => {
            // A plain link cannot send the API token.
            event.preventDefault()
            void download(`/v2/api/jobs/${encodeURIComponent(job.jobId)}/logs`, `${job.jobId}.log`)
          }}
        >
          Download
        </a>
      </div>
      <pre className="logs" ref={logBox} data-testid="logs">
        {shown.map((line, index) => (
          <div key={index} className={`log-${line.level}`}>
            {line.text}
          </div>
        ))}
      </pre>
    </Page>
  )
}
