#!/usr/bin/env python3
"""profile-groups.py FILE... : async-profiler collapsed stacks grouped by where the time goes.

Each sample goes to the first group whose rule matches a frame of its stack, in the order below
(so a RocksDB memtable insert under a commit counts as the memtable insert), and the groups are
printed as shares of all samples, largest first, followed by the top self frames.
"""
import collections
import sys

GROUPS = [
    ('JIT compiler', lambda s: 'CompileBroker' in s),
    ('GC', lambda s: any(x in s for x in ('PSPromotion', 'GCTask', 'PSScavenge', 'GangWorker', 'G1', 'ParallelGC'))),
    ('RocksDB flush + compaction (background threads)', lambda s: 'BGThread' in s),
    ('RocksDB memtable insert', lambda s: 'MemTable::Add' in s),
    ('RocksDB write, other (WAL, batch)', lambda s: 'RocksDB.write' in s or 'DBImpl::Write' in s),
    ('RocksDB point read', lambda s: 'RocksDB.get' in s or 'DBImpl::Get' in s),
    ('read cache lookups', lambda s: 'ReadCache.get' in s or 'ReadCache.readLocked' in s),
    ('commit: pending writes, read cache update, key locks', lambda s: 'LockingTransaction.commit' in s or 'KeyLockTable' in s),
    ('memory engine: hash index', lambda s: 'MemoryEngine.slot' in s),
    ('memory engine: other', lambda s: 'io/respkv/server/engine/Memory' in s),
    ('kernel: socket send/receive', lambda s: '_[k]' in s and any(x in s for x in ('tcp_', 'sock_', 'io_uring', 'sys_sendto', 'sys_recvfrom', 'sys_write', 'sys_read'))),
    ('command execution (dispatch, keyspace, reply encoding)', lambda s: 'CommandDispatcher' in s),
    ('RESP decoding', lambda s: 'RespRequestDecoder' in s),
    ('Netty event loop, other', lambda s: 'io/netty' in s),
    ('kernel, other (scheduling, futex, epoll)', lambda s: '_[k]' in s),
]


def main(paths):
    for path in paths:
        total = 0
        groups = collections.Counter()
        self_frames = collections.Counter()
        with open(path) as f:
            for line in f:
                stack, _, n = line.rstrip('\n').rpartition(' ')
                n = int(n)
                total += n
                self_frames[stack.rsplit(';', 1)[-1]] += n
                for name, matches in GROUPS:
                    if matches(stack):
                        groups[name] += n
                        break
                else:
                    groups['other'] += n
        print(f"{path}: {total} samples")
        for name, n in groups.most_common():
            print(f"  {n * 100 / total:5.1f}% {name}")
        print("  top self frames:")
        for frame, n in self_frames.most_common(12):
            print(f"  {n * 100 / total:5.1f}% {frame}")


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
