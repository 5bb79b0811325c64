import type { Command } from '../command.js';
import { chatCommand } from './chat.js';
import { idCommand } from './id.js';
import { listenCommand } from './listen.js';
import { pairCommand } from './pair.js';
import { peersCommand } from './peers.js';
import { trustCommand } from './trust.js';
import { sendCommand } from './send.js';
import { receiveCommand } from './receive.js';
import { outboxCommand } from './outbox.js';
import { hashCommand } from './hash.js';
import { configCommand } from './config.js';
import { daemonCommand } from './daemon.js';
import { statusCommand } from './status.js';
import { stopCommand } from './stop.js';
import { relayCommand } from './relay.js';

/** Every subcommand, in the order `peerdeck --help` lists them. */
export const commands: readonly Command[] = [idCommand, listenCommand, peersCommand, pairCommand, trustCommand, chatCommand, sendCommand, receiveCommand, outboxCommand, hashCommand,
  configCommand,
  daemonCommand,
  statusCommand,
  stopCommand,
  relayCommand,
];
