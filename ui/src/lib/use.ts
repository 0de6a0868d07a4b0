/** Loading data in a page: the answer, the error's detail, and a way to load again. */
import { useCallback, useEffect, useRef, useState } from 'react'

export interface Loaded<T> {
  data: T | undefined
  error: string | undefined
  loading: boolean
  reload: () => void
  set: (update: (data: T | undefined) => T | undefined) => void
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const generation = useRef(0)
  const run = useCallback(load, deps)
  const reload = useCallback(() => {
    const mine = ++generation.current
    setLoading(true)
    run().then(
      (value) => {
        if (mine !== generation.current) return
        setData(value)
        setError(undefined)
        setLoading(false)
      },
      (thrown: unknown) => {
        if (mine !== generation.current) return
        setError(thrown instanceof Error ? thrown.message : String(thrown))
        setLoading(false)
      },
    )
  }, [run])
  useEffect(reload, [reload])
  return { data, error, loading, reload, set: setData }
}
