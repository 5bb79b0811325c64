// A private sshd for the scp cases: generated host and user keys, 127.0.0.1 only, a spare
// port, cipher aes128-gcm@openssh.com. One sshd is started per timed run under GNU time, so
// the server side's CPU and peak RSS (the per-connection sshd, sftp-server / scp -t, all
// reaped by the listener) are counted too; it is stopped after the client exits.
import { existsSync, mkdirSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { descendants, freePort, run, sleep, startTimed, tail, waitListening } from './proc.mjs';
import { usageOf } from './common.mjs';

const SSHD = '/usr/sbin/sshd';
export const CIPHER = 'aes128-gcm@openssh.com';

function findSftpServer() {
  for (const p of ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/ssh/sftp-server']) if (existsSync(p)) return p;
  return undefined;
}

/** Make sure sshd exists (installing openssh-server with apt-get as root) and write keys and config. Returns {skip} or the setup. */
export function setupSshd(dir, log) {
  if (!existsSync(SSHD)) {
    if (process.getuid?.() !== 0) return { skip: `${SSHD} missing and not root to install openssh-server` };
    log('sshd missing: apt-get install -y openssh-server …');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const u = run('apt-get', ['update', '-qq'], { allowFail: true, env });
    const i = run('apt-get', ['install', '-y', '-qq', 'openssh-server'], { allowFail: true, env });
    if (!existsSync(SSHD)) return { skip: `could not install openssh-server: ${tail(i.stderr || u.stderr, 300)}` };
  }
  for (const b of ['scp', 'ssh-keygen']) if (run('which', [b], { allowFail: true }).status !== 0) return { skip: `${b} not found (install openssh-client)` };
  const sftp = findSftpServer();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (f) => path.join(dir, f);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('host_ed25519')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('user_ed25519')]);
  copyFileSync(p('user_ed25519.pub'), p('authorized_keys'));
  chmodSync(p('authorized_keys'), 0o600);
  const user = os.userInfo().username;
  const root = process.getuid?.() === 0;
  if (root) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory
  writeFileSync(p('sshd_config'), [
    'ListenAddress 127.0.0.1',
    `HostKey ${p('host_ed25519')}`,
    `AuthorizedKeysFile ${p('authorized_keys')}`,
    'PidFile none',
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    root ? 'PermitRootLogin prohibit-password' : '',
    `Ciphers ${CIPHER}`,
    'UseDNS no',
    'PrintMotd no',
    'X11Forwarding no',
    'MaxStartups 100',
    'LogLevel ERROR',
    sftp ? `Subsystem sftp ${sftp}` : '',
    '',
  ].filter((l, i, a) => l || i === a.length - 1).join('\n'));
  const t = run(SSHD, ['-t', '-f', p('sshd_config')], { allowFail: true });
  if (t.status !== 0) return { skip: `sshd -t rejected the config: ${tail(t.stderr, 300)}` };
  return { dir, user, config: p('sshd_config'), key: p('user_ed25519'), sftp: Boolean(sftp) };
}

/** Start a private sshd under GNU time on a spare port; resolves once it listens. */
export async function startSshd(ctx, s) {
  const port = await freePort();
  const h = startTimed('sshd', SSHD, ['-D', '-e', '-f', s.config, '-p', String(port)], { timeFile: ctx.timeFile('sshd') });
  await waitListening(port, 10_000, h);
  return { h, port };
}

/** Stop it once its connection children are gone (so GNU time counts them), and return its usage. */
export async function stopSshd({ h }) {
  const inner = h.innerPid();
  for (let i = 0; i < 200 && inner && descendants(inner).length; i++) await sleep(10);
  await sleep(20);
  if (inner) { try { process.kill(inner, 'SIGTERM'); } catch { /* gone */ } }
  await Promise.race([h.exited, sleep(3000)]);
  h.kill('SIGKILL');
  return usageOf(h, 'sshd (server side)');
}

/** scp arguments: no user or system ssh config, no host key prompts, our key and cipher. */
export function scpArgs(s, port, extra, from, to) {
  return ['-F', '/dev/null', '-q', '-i', s.key, '-P', String(port), '-c', CIPHER,
    '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    ...extra, from, `${s.user}@127.0.0.1:${to}`];
}
