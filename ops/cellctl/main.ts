#!/usr/bin/env node
import { Command } from 'commander';
import { registerCellCommands } from './commands/cell.js';
import { registerDbCommands } from './commands/db.js';
import { registerHostCommands } from './commands/host.js';
import { registerIdentityCommands } from './commands/identity.js';
import { registerStatusCommands } from './commands/status.js';
import { command } from './run.js';

const program = new Command('cellctl')
  .description('operate a cellstack deployment: databases, cells, hosts, identity, status')
  .option('--config <file>', 'configuration file (default: $CELLSTACK_CONFIG, else built-in defaults)')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(`cellctl: ${text.replace(/^error: /, '')}`) });

const configFile = (): string | undefined => program.opts<{ config?: string }>().config;
registerDbCommands(program, command, configFile);
registerCellCommands(program, command, configFile);
registerHostCommands(program, command, configFile);
registerIdentityCommands(program, command, configFile);
registerStatusCommands(program, command, configFile);

await program.parseAsync();
