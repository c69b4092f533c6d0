/// The Lua scripts behind every ``RedisStateStore`` operation: one script per operation, one key per script
/// (`KEYS[1]`), so each operation is atomic on the server and lives in one cluster slot.
///
/// Times are milliseconds on the server's clock (`TIME`): Redis 7 replicates a script's effects rather than the
/// script, so reading `TIME` before writing is allowed and every replica applies the primary's numbers. Lua numbers
/// are doubles: milliseconds since 1970 (about 1.8e12) and every bounded argument stay far below 2^53, so all
/// arithmetic here is exact. Values a script writes are formatted with `%d`, never Lua's `%.14g`.
enum RedisScripts {
    /// Shared by the scripts that need the time.
    private static let now = """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        """

    private static let wrongKind = "redis.error_reply('WRONGTYPE the key holds another kind of state')"

    /// GCRA. ARGV: interval ms, burst. The key holds the theoretical arrival time (TAT), expiring at it.
    /// Returns `{1, remaining}` or `{0, retryAfterMs}`.
    static let acquireToken = RedisScript(
        name: "acquire-token",
        source: """
            \(now)
            local interval = tonumber(ARGV[1])
            local window = interval * tonumber(ARGV[2])
            local stored = redis.call('GET', KEYS[1])
            local tat = now
            if stored then
              tat = tonumber(stored)
              if not tat then return \(wrongKind) end
              if tat < now then tat = now end
            end
            local arrival = tat + interval
            local ahead = arrival - now
            if ahead > window then return {0, ahead - window} end
            redis.call('SET', KEYS[1], string.format('%d', arrival), 'PX', string.format('%d', ahead))
            return {1, math.floor((window - ahead) / interval)}
            """)

    /// Gives one GCRA token back. ARGV: interval ms. Moves the TAT back one interval; deletes it at or before now.
    static let refundToken = RedisScript(
        name: "refund-token",
        source: """
            \(now)
            local stored = redis.call('GET', KEYS[1])
            if not stored then return 0 end
            local tat = tonumber(stored)
            if not tat then return \(wrongKind) end
            local arrival = tat - tonumber(ARGV[1])
            if arrival <= now then
              redis.call('DEL', KEYS[1])
            else
              redis.call('SET', KEYS[1], string.format('%d', arrival), 'PX', string.format('%d', arrival - now))
            end
            return 1
            """)

    /// `LockoutSchedule.wait(afterFailures:)`, in Lua: none below the threshold, then the initial wait doubling
    /// per failure, capped at the maximum. Milliseconds.
    private static let lockWait = """
        local function lock_wait(failures, threshold, initial, maximum)
          if failures < threshold then return 0 end
          local doublings = math.min(failures - threshold, 62)
          local wait = initial
          for _ = 1, doublings do
            wait = wait * 2
            if wait >= maximum then return maximum end
          end
          return math.min(wait, maximum)
        end
        """

    /// ARGV: threshold, initial wait ms, maximum wait ms, hard lock after, failure memory ms.
    /// The key is a hash: `f` failures, `until` timed-lock end (ms), `hard` = 1.
    /// Returns `{0, failures}` admitted, `{1, retryAfterMs}` locked, `{2, 0}` hard-locked.
    static let reserveAttempt = RedisScript(
        name: "reserve-attempt",
        source: """
            \(now)
            \(lockWait)
            local threshold, initial, maximum = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            local hard_after, memory = tonumber(ARGV[4]), tonumber(ARGV[5])
            local state = redis.call('HMGET', KEYS[1], 'f', 'until', 'hard')
            local failures = tonumber(state[1]) or 0
            local locked_until = tonumber(state[2])
            if state[3] == '1' then return {2, 0} end
            if failures >= hard_after then
              redis.call('HSET', KEYS[1], 'hard', '1')
              redis.call('PERSIST', KEYS[1])
              return {2, 0}
            end
            if locked_until and locked_until > now then return {1, locked_until - now} end
            failures = failures + 1
            local wait = lock_wait(failures, threshold, initial, maximum)
            redis.call('HSET', KEYS[1], 'f', string.format('%d', failures))
            if wait > 0 then
              redis.call('HSET', KEYS[1], 'until', string.format('%d', now + wait))
            else
              redis.call('HDEL', KEYS[1], 'until')
            end
            if failures >= hard_after then
              redis.call('PERSIST', KEYS[1])
            else
              redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(memory, wait)))
            end
            return {0, failures}
            """)

    /// Undoes one admitted reservation. ARGV: hard lock after, failure memory ms, the count it was admitted with.
    /// Takes one failure off; lifts the timed lock only when the count still equals the admitted one (a reservation
    /// is admitted only while no lock runs, so a running lock then is this reservation's); a later reservation's
    /// running lock stays, and keeps the key alive until it ends even with no failure left under it.
    static let refundAttempt = RedisScript(
        name: "refund-attempt",
        source: """
            \(now)
            local state = redis.call('HMGET', KEYS[1], 'f', 'until', 'hard')
            if state[3] == '1' then return 0 end
            local failures = tonumber(state[1])
            if not failures then return 0 end
            local locked_until = tonumber(state[2])
            if failures == tonumber(ARGV[3]) or not locked_until or locked_until <= now then locked_until = nil end
            failures = math.max(failures - 1, 0)
            if failures == 0 and not locked_until then
              redis.call('DEL', KEYS[1])
              return 0
            end
            redis.call('HSET', KEYS[1], 'f', string.format('%d', failures))
            if not locked_until then redis.call('HDEL', KEYS[1], 'until') end
            if failures >= tonumber(ARGV[1]) then
              redis.call('PERSIST', KEYS[1])
            else
              redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(tonumber(ARGV[2]), (locked_until or now) - now)))
            end
            return 1
            """)

    /// Clears the count and timed lock; a hard lock (and its count) stays.
    static let resetAttempts = RedisScript(
        name: "reset-attempts",
        source: """
            if redis.call('HGET', KEYS[1], 'hard') == '1' then
              redis.call('HDEL', KEYS[1], 'until')
              return 0
            end
            redis.call('DEL', KEYS[1])
            return 1
            """)

    /// Clears everything, hard lock included; refuses another kind of state.
    static let clearLockout = RedisScript(
        name: "clear-lockout",
        source: """
            local kind = redis.call('TYPE', KEYS[1])['ok']
            if kind == 'none' then return 0 end
            if kind ~= 'hash' then return \(wrongKind) end
            redis.call('DEL', KEYS[1])
            return 1
            """)

    /// ARGV: hard lock after. Returns `{failures, retryAfterMs or -1, hard 0/1}`.
    static let lockoutStatus = RedisScript(
        name: "lockout-status",
        source: """
            \(now)
            local state = redis.call('HMGET', KEYS[1], 'f', 'until', 'hard')
            local failures = tonumber(state[1]) or 0
            local locked_until = tonumber(state[2])
            local retry = -1
            if locked_until and locked_until > now then retry = locked_until - now end
            local hard = 0
            if state[3] == '1' or failures >= tonumber(ARGV[1]) then hard = 1 end
            return {failures, retry, hard}
            """)

    /// ARGV: value (canonical decimal, up to 20 digits), ttl ms. Compares decimal strings by length, then byte by
    /// byte (not with Lua's `<`, which follows the server's locale), because a 64-bit counter does not fit a Lua
    /// double exactly. Returns 1 when it advanced.
    static let advanceCounter = RedisScript(
        name: "advance-counter",
        source: """
            local function less(a, b)
              if #a ~= #b then return #a < #b end
              for i = 1, #a do
                local x, y = string.byte(a, i), string.byte(b, i)
                if x ~= y then return x < y end
              end
              return false
            end
            local stored = redis.call('GET', KEYS[1])
            if stored then
              if not string.find(stored, '^%d+$') then return \(wrongKind) end
              if not less(stored, ARGV[1]) then return 0 end
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1
            """)

    /// ARGV: digest, context, tries, ttl ms. A hash `d`, `c`, `t`, replacing any code there.
    static let putCode = RedisScript(
        name: "put-code",
        source: """
            local kind = redis.call('TYPE', KEYS[1])['ok']
            if kind ~= 'none' and kind ~= 'hash' then return \(wrongKind) end
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], 'd', ARGV[1], 'c', ARGV[2], 't', ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return 1
            """)

    /// ARGV: digest. Returns `{1, context}` redeemed, `{2, triesLeft}` mismatch, `{0}` absent.
    ///
    /// The digests are keyed hashes (HMAC under a key only the service holds), so Lua's ordinary string equality
    /// is acceptable here: the most its timing could reveal is how much of a digest an attacker's guess shares
    /// with the stored one, and without the key the attacker cannot choose guesses whose digests approach it,
    /// while the try limit and network jitter (microseconds against nanoseconds) bound what can be measured.
    static let redeemCode = RedisScript(
        name: "redeem-code",
        source: """
            local code = redis.call('HMGET', KEYS[1], 'd', 'c', 't')
            if not code[1] then return {0} end
            if code[1] == ARGV[1] then
              redis.call('DEL', KEYS[1])
              return {1, code[2] or ''}
            end
            local left = (tonumber(code[3]) or 1) - 1
            if left <= 0 then
              redis.call('DEL', KEYS[1])
              return {2, 0}
            end
            redis.call('HSET', KEYS[1], 't', string.format('%d', left))
            return {2, left}
            """)

    /// ARGV: ttl ms, digests... A set of digests, replacing any set there (none given: just deleted).
    static let putCodeSet = RedisScript(
        name: "put-code-set",
        source: """
            local kind = redis.call('TYPE', KEYS[1])['ok']
            if kind ~= 'none' and kind ~= 'set' then return \(wrongKind) end
            redis.call('DEL', KEYS[1])
            if #ARGV < 2 then return 0 end
            redis.call('SADD', KEYS[1], unpack(ARGV, 2))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return 1
            """)

    /// ARGV: digest. Returns the codes left after removing it, or -1 when it was not there.
    static let redeemFromCodeSet = RedisScript(
        name: "redeem-from-code-set",
        source: """
            if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return -1 end
            return redis.call('SCARD', KEYS[1])
            """)

    /// Returns how many codes the set holds.
    static let codeSetCount = RedisScript(
        name: "code-set-count",
        source: "return redis.call('SCARD', KEYS[1])")

    /// ARGV: ttl ms. Returns 1 when it created the marker.
    static let claim = RedisScript(
        name: "claim",
        source: """
            if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
            return 0
            """)

    /// Deletes the key, whatever it holds.
    static let remove = RedisScript(
        name: "remove",
        source: "return redis.call('DEL', KEYS[1])")

    /// ARGV: payload, keep last, ttl ms. A list, newest first.
    static let appendEvent = RedisScript(
        name: "append-event",
        source: """
            redis.call('LPUSH', KEYS[1], ARGV[1])
            redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """)

    /// ARGV: limit. The newest `limit` events, newest first (`LLEN` first, so a limit of 0 still refuses a key
    /// of another kind, and never reads as `LRANGE 0 -1`, the whole list).
    static let recentEvents = RedisScript(
        name: "recent-events",
        source: """
            local limit = tonumber(ARGV[1])
            if redis.call('LLEN', KEYS[1]) == 0 or limit <= 0 then return {} end
            return redis.call('LRANGE', KEYS[1], 0, limit - 1)
            """)

    /// Every script, for docs and tests.
    static let all: [RedisScript] = [
        acquireToken, refundToken, reserveAttempt, refundAttempt, resetAttempts, clearLockout, lockoutStatus,
        advanceCounter, putCode, redeemCode, putCodeSet, redeemFromCodeSet, codeSetCount, claim, remove,
        appendEvent, recentEvents,
    ]
}
