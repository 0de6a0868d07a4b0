/**
 * The client subcommands of `haze` (everything but `start`): looks the command up, reads its
 * arguments, runs it, and turns any failure into one line on stderr and an exit code
 * (errors.ts). main.ts hands over to `runClientCommand` for the names in `clientCommands`.
 */
import { applyCommand } from './apply.js'
import { helpOf, parseCommand, type CommandSpec } from './command.js'
import { completionCommand, namesCommand } from './completion.js'
import { CliError, EXIT } from './errors.js'
import { listCommand } from './list.js'
import { logsCommand } from './logs.js'
import { deleteCommand, killCommand, uploadCommand } from './manage.js'
import { runCommand } from './run.js'
import { showCommand } from './show.js'
import { statusCommand } from './status.js'

const COMMANDS: CommandSpec[] = [applyCommand, runCommand, logsCommand, statusCommand, listCommand, showCommand, killCommand, deleteCommand, uploadCommand]
const ALL: CommandSpec[] = [...COMMANDS, completionCommand(() => COMMANDS), namesCommand]

/** Every client command, for help and tests. */
export const clientCommandSpecs: readonly CommandSpec[] = ALL

export const clientCommands = new Set(ALL.map((command) => command.name))

/** The lines main.ts adds to `haze --help`. */
export function clientCommandsHelp(): string {
  const shown = ALL.filter((command) => !command.name.startsWith('__'))
  // The same columns as the lines main.ts writes itself (`  start      Serve …`).
  return shown.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')
}

export async function runClientCommand(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const spec = ALL.find((command) => command.name === name)
  if (!spec) throw new Error(`not a client command: ${name}`)
  try {
    const context = parseCommand(spec, args, env)
    if (context === 'help') {
      process.stdout.write(helpOf(spec))
      return EXIT.ok
    }
    return await spec.run(context)
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`haze ${name}: ${error.message}\n`)
      return error.exitCode
    }
    // A bug of ours, not the user's: still one line (HAZE_DEBUG=1 shows the stack).
    const detail = env.HAZE_DEBUG ? ((error as Error).stack ?? String(error)) : ((error as Error).message ?? String(error)).split('\n')[0]
    process.stderr.write(`haze ${name}: unexpected error: ${detail}\n`)
    return 1
  }
}
