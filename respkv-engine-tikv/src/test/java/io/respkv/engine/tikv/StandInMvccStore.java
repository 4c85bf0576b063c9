package io.respkv.engine.tikv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.tikv.kvproto.Kvrpcpb;
import org.tikv.shade.com.google.protobuf.ByteString;

/**
 * The storage of the stand-in TiKV (see {@link StandInTikvCluster}): a Percolator MVCC store and a
 * raw key space, in memory, behind one monitor. It is a STAND-IN, not TiKV: it implements the
 * transaction protocol's observable semantics that tikv-client-java relies on, closely enough that
 * a client-side transaction bug fails a test:
 *
 * <ul>
 *   <li>every key has a lock column (at most one lock: owner start_ts, primary, op, value, TTL)
 *       and a write column (records by commit_ts: PUT, DELETE, or ROLLBACK at the rolled-back
 *       start_ts);</li>
 *   <li>reads at ts see the newest PUT/DELETE committed at or before ts, and fail with
 *       KeyIsLocked when a lock with start_ts &lt;= ts covers the key;</li>
 *   <li>prewrite fails with WriteConflict when any commit (or a rollback of the same start_ts)
 *       exists at or after start_ts, with KeyIsLocked when another transaction holds the lock;</li>
 *   <li>commit turns a matching lock into a write record, is idempotent, and fails with
 *       TxnLockNotFound when the lock is gone and the transaction was not committed
 *       (e.g. it was rolled back by a resolver);</li>
 *   <li>rollback, cleanup, check-txn-status (TTL expiry against the caller's current_ts) and
 *       resolve-lock as TiKV does them.</li>
 * </ul>
 * No GC, no pessimistic locks, no async commit / 1PC (the client uses neither here).
 */
final class StandInMvccStore {

    static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();

    enum WriteType { PUT, DELETE, ROLLBACK }

    record Write(WriteType type, long startTs, ByteString value) {
    }

    record Lock(ByteString primary, long startTs, Kvrpcpb.Op op, ByteString value, long ttl) {
    }

    static final class KeyState {
        Lock lock;
        /** commit_ts (start_ts for rollbacks) -> record, newest first. */
        final NavigableMap<Long, Write> writes = new TreeMap<>(Comparator.reverseOrder());
    }

    /** Thrown inside the store to answer a key with a KeyError. */
    static final class KeyErrorException extends Exception {
        final Kvrpcpb.KeyError error;

        KeyErrorException(Kvrpcpb.KeyError error) {
            super(error.toString(), null, false, false);
            this.error = error;
        }
    }

    final TreeMap<ByteString, KeyState> txnData = new TreeMap<>(ORDER);
    final TreeMap<ByteString, ByteString> rawData = new TreeMap<>(ORDER);

    // ---- timestamps ----

    private long lastPhysical;
    private long lastLogical;

    /** A PD timestamp, strictly greater than every earlier one: (physical ms << 18) | logical. */
    synchronized long nextTimestamp() {
        long now = System.currentTimeMillis();
        if (now > lastPhysical) {
            lastPhysical = now;
            lastLogical = 0;
        } else {
            lastLogical++;
            if (lastLogical >= (1 << 18)) {
                lastPhysical++;
                lastLogical = 0;
            }
        }
        return (lastPhysical << 18) | lastLogical;
    }

    synchronized long lastPhysical() {
        return lastPhysical;
    }

    synchronized long lastLogical() {
        return lastLogical;
    }

    static long physical(long ts) {
        return ts >>> 18;
    }

    // ---- reads ----

    private static Kvrpcpb.LockInfo info(ByteString key, Lock lock) {
        return Kvrpcpb.LockInfo.newBuilder().setKey(key).setPrimaryLock(lock.primary).setLockVersion(lock.startTs)
                .setLockTtl(lock.ttl).setLockType(lock.op).setTxnSize(1).build();
    }

    private static KeyErrorException locked(ByteString key, Lock lock) {
        return new KeyErrorException(Kvrpcpb.KeyError.newBuilder().setLocked(info(key, lock)).build());
    }

    /** The value of {@code key} at {@code ts}, or null; KeyIsLocked when a lock at or before ts covers it. */
    synchronized ByteString get(ByteString key, long ts, List<Long> resolvedLocks) throws KeyErrorException {
        KeyState s = txnData.get(key);
        if (s == null) {
            return null;
        }
        if (s.lock != null && s.lock.startTs <= ts && !resolvedLocks.contains(s.lock.startTs)) {
            throw locked(key, s.lock);
        }
        for (Map.Entry<Long, Write> e : s.writes.tailMap(ts, true).entrySet()) {
            Write w = e.getValue();
            if (w.type == WriteType.PUT) {
                return w.value;
            }
            if (w.type == WriteType.DELETE) {
                return null;
            }
        }
        return null;
    }

    /** Pairs of a scan of [start, end) at ts (locked keys as pairs carrying the error), at most limit. */
    synchronized List<Kvrpcpb.KvPair> scan(ByteString start, ByteString end, int limit, long ts, boolean keyOnly,
            boolean reverse, List<Long> resolvedLocks) {
        NavigableMap<ByteString, KeyState> range = end.isEmpty() ? txnData.tailMap(start, true)
                : txnData.subMap(start, true, end, false);
        if (reverse) {
            range = range.descendingMap();
        }
        List<Kvrpcpb.KvPair> out = new ArrayList<>();
        for (ByteString key : range.keySet()) {
            if (out.size() >= limit) {
                break;
            }
            try {
                ByteString v = get(key, ts, resolvedLocks);
                if (v != null) {
                    out.add(Kvrpcpb.KvPair.newBuilder().setKey(key).setValue(keyOnly ? ByteString.EMPTY : v).build());
                }
            } catch (KeyErrorException locked) {
                out.add(Kvrpcpb.KvPair.newBuilder().setKey(key).setError(locked.error).build());
            }
        }
        return out;
    }

    // ---- two-phase commit ----

    /** Prewrites every mutation, or none: returns the key errors (empty when all were locked). */
    synchronized List<Kvrpcpb.KeyError> prewrite(List<Kvrpcpb.Mutation> mutations, ByteString primary, long startTs,
            long ttl) {
        List<Kvrpcpb.KeyError> errors = new ArrayList<>();
        for (Kvrpcpb.Mutation m : mutations) {
            KeyState s = txnData.get(m.getKey());
            if (s == null) {
                continue;
            }
            if (s.lock != null && s.lock.startTs != startTs) {
                errors.add(locked(m.getKey(), s.lock).error);
                continue;
            }
            if (s.lock != null) {
                continue; // our own lock: a retried prewrite
            }
            Write rolledBack = s.writes.get(startTs);
            if (rolledBack != null && rolledBack.type == WriteType.ROLLBACK && rolledBack.startTs == startTs) {
                errors.add(conflict(m.getKey(), primary, startTs, startTs));
                continue;
            }
            for (Map.Entry<Long, Write> e : s.writes.entrySet()) {
                if (e.getKey() < startTs) {
                    break;
                }
                if (e.getValue().type != WriteType.ROLLBACK) {
                    errors.add(conflict(m.getKey(), primary, startTs, e.getKey()));
                    break;
                }
            }
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        for (Kvrpcpb.Mutation m : mutations) {
            Kvrpcpb.Op op = m.getOp();
            if (op != Kvrpcpb.Op.Put && op != Kvrpcpb.Op.Del && op != Kvrpcpb.Op.Lock) {
                errors.add(Kvrpcpb.KeyError.newBuilder().setAbort("stand-in: unsupported mutation " + op).build());
                return errors;
            }
        }
        for (Kvrpcpb.Mutation m : mutations) {
            KeyState s = txnData.computeIfAbsent(m.getKey(), k -> new KeyState());
            if (s.lock == null) {
                s.lock = new Lock(primary, startTs, m.getOp(), m.getValue(), ttl);
            }
        }
        return errors;
    }

    private static Kvrpcpb.KeyError conflict(ByteString key, ByteString primary, long startTs, long commitTs) {
        return Kvrpcpb.KeyError.newBuilder().setConflict(Kvrpcpb.WriteConflict.newBuilder().setKey(key)
                .setPrimary(primary).setStartTs(startTs).setConflictTs(commitTs).setConflictCommitTs(commitTs)).build();
    }

    /** The commit_ts of startTs's write record on key, 0 if rolled back, -1 if none. */
    private static long committedAt(KeyState s, long startTs) {
        if (s == null) {
            return -1;
        }
        for (Map.Entry<Long, Write> e : s.writes.entrySet()) {
            if (e.getKey() < startTs) {
                break;
            }
            if (e.getValue().startTs == startTs) {
                return e.getValue().type == WriteType.ROLLBACK ? 0 : e.getKey();
            }
        }
        return -1;
    }

    synchronized Kvrpcpb.KeyError commit(List<ByteString> keys, long startTs, long commitTs) {
        for (ByteString key : keys) {
            KeyState s = txnData.get(key);
            boolean ours = s != null && s.lock != null && s.lock.startTs == startTs;
            if (!ours && committedAt(s, startTs) <= 0) {
                return Kvrpcpb.KeyError.newBuilder().setRetryable("TxnLockNotFound: txn " + startTs
                        + " has no lock on the key (rolled back or never prewritten)").build();
            }
        }
        for (ByteString key : keys) {
            KeyState s = txnData.get(key);
            if (s.lock != null && s.lock.startTs == startTs) {
                commitLock(s, commitTs);
            }
        }
        return null;
    }

    private static void commitLock(KeyState s, long commitTs) {
        Lock l = s.lock;
        s.lock = null;
        if (l.op == Kvrpcpb.Op.Put) {
            s.writes.put(commitTs, new Write(WriteType.PUT, l.startTs, l.value));
        } else if (l.op == Kvrpcpb.Op.Del) {
            s.writes.put(commitTs, new Write(WriteType.DELETE, l.startTs, ByteString.EMPTY));
        }
        // an Op.Lock commit leaves no data version (TiKV writes a LOCK record readers skip)
    }

    /** Rolls startTs back on key: drops its lock, leaves a rollback record. Error if it was committed. */
    private Kvrpcpb.KeyError rollback(ByteString key, long startTs) {
        KeyState s = txnData.computeIfAbsent(key, k -> new KeyState());
        long committed = committedAt(s, startTs);
        if (committed > 0) {
            return Kvrpcpb.KeyError.newBuilder().setAbort("txn " + startTs + " already committed at " + committed).build();
        }
        if (s.lock != null && s.lock.startTs == startTs) {
            s.lock = null;
        }
        if (committed < 0) {
            s.writes.put(startTs, new Write(WriteType.ROLLBACK, startTs, ByteString.EMPTY));
        }
        return null;
    }

    synchronized Kvrpcpb.KeyError batchRollback(List<ByteString> keys, long startTs) {
        for (ByteString key : keys) {
            Kvrpcpb.KeyError e = rollback(key, startTs);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private static boolean expired(Lock lock, long currentTs) {
        return currentTs == 0 || physical(lock.startTs) + lock.ttl < physical(currentTs);
    }

    /** Cleanup: the commit_ts if committed (result >= 0), else rolls back (expired or current_ts 0). */
    synchronized long cleanup(ByteString key, long startTs, long currentTs) throws KeyErrorException {
        KeyState s = txnData.get(key);
        long committed = committedAt(s, startTs);
        if (committed > 0) {
            return committed;
        }
        if (s != null && s.lock != null && s.lock.startTs == startTs && !expired(s.lock, currentTs)) {
            throw locked(key, s.lock);
        }
        rollback(key, startTs);
        return 0;
    }

    synchronized Kvrpcpb.CheckTxnStatusResponse.Builder checkTxnStatus(ByteString primary, long lockTs,
            long currentTs, boolean rollbackIfNotExist) {
        Kvrpcpb.CheckTxnStatusResponse.Builder r = Kvrpcpb.CheckTxnStatusResponse.newBuilder();
        KeyState s = txnData.get(primary);
        if (s != null && s.lock != null && s.lock.startTs == lockTs) {
            if (expired(s.lock, currentTs)) {
                rollback(primary, lockTs);
                return r.setAction(Kvrpcpb.Action.TTLExpireRollback);
            }
            return r.setLockTtl(s.lock.ttl).setAction(Kvrpcpb.Action.NoAction).setLockInfo(info(primary, s.lock));
        }
        long committed = committedAt(s, lockTs);
        if (committed > 0) {
            return r.setCommitVersion(committed);
        }
        if (committed == 0) {
            return r; // rolled back: ttl 0, commit 0
        }
        if (rollbackIfNotExist) {
            rollback(primary, lockTs);
            return r.setAction(Kvrpcpb.Action.LockNotExistRollback);
        }
        return r.setError(Kvrpcpb.KeyError.newBuilder().setTxnNotFound(
                Kvrpcpb.TxnNotFound.newBuilder().setStartTs(lockTs).setPrimaryKey(primary)));
    }

    /** Commits (commitTs > 0) or rolls back each lock of txn startTs among keys in [start, end). */
    synchronized void resolveLocks(ByteString start, ByteString end, List<ByteString> keys, Map<Long, Long> txns) {
        Iterable<ByteString> candidates = !keys.isEmpty() ? keys
                : new ArrayList<>((end.isEmpty() ? txnData.tailMap(start, true) : txnData.subMap(start, true, end, false))
                        .keySet());
        for (ByteString key : candidates) {
            KeyState s = txnData.get(key);
            if (s == null || s.lock == null || !txns.containsKey(s.lock.startTs)) {
                continue;
            }
            long commitTs = txns.get(s.lock.startTs);
            if (commitTs > 0) {
                commitLock(s, commitTs);
            } else {
                rollback(key, s.lock.startTs);
            }
        }
    }

    synchronized long heartBeat(ByteString primary, long startTs, long adviseTtl) throws KeyErrorException {
        KeyState s = txnData.get(primary);
        if (s == null || s.lock == null || s.lock.startTs != startTs) {
            throw new KeyErrorException(Kvrpcpb.KeyError.newBuilder().setTxnNotFound(
                    Kvrpcpb.TxnNotFound.newBuilder().setStartTs(startTs).setPrimaryKey(primary)).build());
        }
        if (adviseTtl > s.lock.ttl) {
            s.lock = new Lock(s.lock.primary, s.lock.startTs, s.lock.op, s.lock.value, adviseTtl);
        }
        return s.lock.ttl;
    }

    /** Locks left in the store (a committed or rolled-back transaction leaves none). */
    synchronized int lockCount() {
        int n = 0;
        for (KeyState s : txnData.values()) {
            if (s.lock != null) {
                n++;
            }
        }
        return n;
    }
}
