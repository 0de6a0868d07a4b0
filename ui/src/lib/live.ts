/**
 * The live event stream (Mist's frames over WebSocket), reconnected with backoff when it drops.
 * The UI opens one stream of every job's events, workers and contexts, shared by every page,
 * and one per job page for its log lines. After a reconnection, `onOpen` listeners run again so
 * that pages re-read what they may have missed.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { onTokenChange, tokenState, withToken } from '../api/token.js'

export interface Frame {
  event: string
  id?: string
  time?: number
  [field: string]: unknown
}

export type StreamState = 'connecting' | 'live' | 'down'

const FIRST_RETRY_MS = 500
const LAST_RETRY_MS = 10_000

export class LiveStream {
  private socket: WebSocket | undefined
  private readonly frameListeners = new Set<(frame: Frame) => void>()
  private readonly openListeners = new Set<() => void>()
  private readonly stateListeners = new Set<() => void>()
  private retryMs = FIRST_RETRY_MS
  private timer: ReturnType<typeof setTimeout> | undefined
  private closed = false
  state: StreamState = 'connecting'

  private readonly offToken: () => void

  constructor(private readonly path: string) {
    this.connect()
    // A new token: connect again with it at once, rather than after the backoff.
    this.offToken = onTokenChange(() => this.reconnect())
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    this.frameListeners.add(listener)
    return () => void this.frameListeners.delete(listener)
  }

  /** Called on every (re)connection. */
  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener)
    return () => void this.openListeners.delete(listener)
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener)
    return () => void this.stateListeners.delete(listener)
  }

  close(): void {
    this.closed = true
    this.offToken()
    clearTimeout(this.timer)
    this.socket?.close()
  }

  private reconnect(): void {
    if (this.closed) return
    clearTimeout(this.timer)
    const old = this.socket
    if (old) old.onclose = null
    old?.close()
    this.retryMs = FIRST_RETRY_MS
    this.connect()
  }

  private connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${withToken(this.path)}`
    const socket = new WebSocket(url)
    this.socket = socket
    socket.onopen = () => {
      this.retryMs = FIRST_RETRY_MS
      this.setState('live')
      this.openListeners.forEach((listener) => listener())
    }
    socket.onmessage = (message: MessageEvent<string>) => {
      const frame = JSON.parse(message.data) as Frame
      if (frame.event !== 'keep-alive') this.frameListeners.forEach((listener) => listener(frame))
    }
    socket.onclose = () => {
      if (this.closed) return
      this.setState('down')
      // While the API waits for a token, retrying is pointless: a new token reconnects.
      if (tokenState().needed !== undefined) return
      this.timer = setTimeout(() => this.connect(), this.retryMs)
      this.retryMs = Math.min(LAST_RETRY_MS, this.retryMs * 2)
    }
  }

  private setState(state: StreamState): void {
    this.state = state
    this.stateListeners.forEach((listener) => listener())
  }
}

let everything: LiveStream | undefined
/** The stream every page shares: all jobs' lifecycle events, workers and contexts. */
export function allEvents(): LiveStream {
  return (everything ??= new LiveStream('/v2/api/ws/all?withWorkers=true&withContexts=true'))
}

export function useStreamState(stream: LiveStream = allEvents()): StreamState {
  return useSyncExternalStore(
    (listener) => stream.onState(listener),
    () => stream.state,
  )
}

/** Calls `onFrame` for every frame of the shared stream, and `onOpen` on every (re)connection. */
export function useLive(onFrame: (frame: Frame) => void, onOpen?: () => void): void {
  const frameRef = useRef(onFrame)
  const openRef = useRef(onOpen)
  frameRef.current = onFrame
  openRef.current = onOpen
  useEffect(() => {
    const stream = allEvents()
    const offFrame = stream.onFrame((frame) => frameRef.current(frame))
    // The first open has happened already for pages opened later: they fetch on mount instead.
    const offOpen = stream.onOpen(() => openRef.current?.())
    return () => {
      offFrame()
      offOpen()
    }
  }, [])
}

/** A stream of one job with its log lines, for the job page; closed when the page goes. */
export function useJobStream(jobId: string, onFrame: (frame: Frame) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting')
  const frameRef = useRef(onFrame)
  frameRef.current = onFrame
  useEffect(() => {
    const stream = new LiveStream(`/v2/api/ws/jobs/${encodeURIComponent(jobId)}?withLogs=true`)
    const offFrame = stream.onFrame((frame) => frameRef.current(frame))
    const offState = stream.onState(() => setState(stream.state))
    return () => {
      offFrame()
      offState()
      stream.close()
    }
  }, [jobId])
  return state
}
