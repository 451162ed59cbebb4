import { expect, test } from 'vitest';
import { systemdUnit, systemdUnitName } from '../../src/cluster/systemd-unit.js';

const node = { name: 'b', description: 'standby of a, port 5433', dataDir: '/var/lib/postgresql/hs/b', logFile: '/var/lib/postgresql/hs/b.log' };

test('a node as a forking systemd service run by the server account, started and stopped by pg_ctl with -D and -l', () => {
  const unit = systemdUnit({ node, pgCtl: '/usr/lib/postgresql/15/bin/pg_ctl', user: 'postgres' });
  expect(systemdUnitName('b')).toBe('hotstandby-b.service');
  const lines = unit.split('\n');
  expect(lines).toContain('Type=forking');
  expect(lines).toContain('User=postgres');
  expect(lines).toContain('PIDFile=/var/lib/postgresql/hs/b/postmaster.pid');
  expect(lines).toContain('ExecStart=/usr/lib/postgresql/15/bin/pg_ctl start -D /var/lib/postgresql/hs/b -l /var/lib/postgresql/hs/b.log -w -t 300');
  expect(lines).toContain('ExecStop=/usr/lib/postgresql/15/bin/pg_ctl stop -D /var/lib/postgresql/hs/b -m fast -w -t 300');
  expect(lines).toContain('WantedBy=multi-user.target');
  expect(unit).toContain('it does not install or enable it');
  expect(unit.indexOf('[Unit]')).toBeLessThan(unit.indexOf('[Service]'));
});

test('paths with spaces, quotes, % and $ are quoted and escaped as systemd reads them', () => {
  const odd = { ...node, dataDir: '/srv/my "pg" 100%/b', logFile: '/srv/$HOME/b.log' };
  const unit = systemdUnit({ node: odd, pgCtl: '/opt/pg 15/bin/pg_ctl', user: 'pg' });
  expect(unit).toContain('ExecStart="/opt/pg 15/bin/pg_ctl" start -D "/srv/my \\"pg\\" 100%%/b" -l /srv/$$HOME/b.log -w -t 300');
  expect(unit).toContain('PIDFile=/srv/my "pg" 100%%/b/postmaster.pid');
});
