/** The inputs of a run form, one per argument, typed by its ArgType (lib/form.ts). */
import { draftOf, type Draft, type Field } from '../lib/form.js'

export function ArgumentInputs({ fields, drafts, problems, onChange }: { fields: readonly Field[]; drafts: Record<string, Draft>; problems: Record<string, string[]>; onChange: (name: string, draft: Draft) => void }) {
  if (fields.length === 0) return <p className="muted">This function takes no arguments.</p>
  return (
    <div className="arguments">
      {fields.map((field) => {
        const draft = drafts[field.name]
        if (!draft) return null
        const fieldProblems = problems[field.name] ?? []
        return (
          <div key={field.name} className={`argument ${fieldProblems.length > 0 ? 'invalid' : ''}`}>
            <label htmlFor={`arg-${field.name}`}>
              <span className="name">{field.name}</span> <span className="muted">{field.hint}{field.hasDefault ? ' · has a default' : ''}</span>
            </label>
            <DraftInput id={`arg-${field.name}`} draft={draft} onChange={(next) => onChange(field.name, next)} />
            {fieldProblems.map((problem) => (
              <p key={problem} className="problem" role="alert">
                {problem}
              </p>
            ))}
          </div>
        )
      })}
    </div>
  )
}

function DraftInput({ id, draft, onChange }: { id: string; draft: Draft; onChange: (draft: Draft) => void }) {
  switch (draft.kind) {
    case 'int':
    case 'double':
      return <input id={id} inputMode={draft.kind === 'int' ? 'numeric' : 'decimal'} value={draft.text} placeholder={draft.kind === 'int' ? 'integer' : 'number'} onChange={(event) => onChange({ ...draft, text: event.target.value })} />
    case 'string':
      return <input id={id} value={draft.text} onChange={(event) => onChange({ ...draft, text: event.target.value })} />
    case 'boolean':
      return <input id={id} type="checkbox" checked={draft.value} onChange={(event) => onChange({ ...draft, value: event.target.checked })} />
    case 'json':
      return <textarea id={id} className="mono" rows={4} value={draft.text} placeholder="JSON" onChange={(event) => onChange({ ...draft, text: event.target.value })} />
    case 'option':
      return (
        <div className="option">
          <label className="inline">
            <input type="checkbox" aria-label={`set ${id}`} checked={draft.set} onChange={(event) => onChange({ ...draft, set: event.target.checked })} /> set
          </label>
          {draft.set && <DraftInput id={id} draft={draft.inner} onChange={(inner) => onChange({ ...draft, inner })} />}
        </div>
      )
    case 'list':
      return (
        <div className="nested" id={id}>
          {draft.items.map((item, index) => (
            <div key={index} className="row">
              <DraftInput id={`${id}-${index}`} draft={item} onChange={(next) => onChange({ ...draft, items: draft.items.map((old, i) => (i === index ? next : old)) })} />
              <button type="button" onClick={() => onChange({ ...draft, items: draft.items.filter((_, i) => i !== index) })} aria-label="remove">
                ×
              </button>
            </div>
          ))}
          <button type="button" onClick={() => onChange({ ...draft, items: [...draft.items, draftOf(draft.item)] })}>
            Add item
          </button>
        </div>
      )
    case 'map':
      return (
        <div className="nested" id={id}>
          {draft.entries.map((entry, index) => (
            <div key={index} className="row">
              <input value={entry.key} placeholder="key" onChange={(event) => onChange({ ...draft, entries: draft.entries.map((old, i) => (i === index ? { ...old, key: event.target.value } : old)) })} />
              <DraftInput id={`${id}-${index}`} draft={entry.value} onChange={(value) => onChange({ ...draft, entries: draft.entries.map((old, i) => (i === index ? { ...old, value } : old)) })} />
              <button type="button" onClick={() => onChange({ ...draft, entries: draft.entries.filter((_, i) => i !== index) })} aria-label="remove">
                ×
              </button>
            </div>
          ))}
          <button type="button" onClick={() => onChange({ ...draft, entries: [...draft.entries, { key: '', value: draftOf(draft.value) }] })}>
            Add entry
          </button>
        </div>
      )
  }
}
