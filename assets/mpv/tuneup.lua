-- tuneup.lua: report every file mpv plays to tuneup, so it learns from plays outside tuneup too.
--
-- Install with `tuneup hooks install mpv` (copies this file into ~/.config/mpv/scripts/).
-- Each file played is reported once, when it ends, through
--   tuneup log PATH --played S --duration S --ended finished|skipped|stopped|error --at ISO8601 --source mpv
-- Options (script-opts, or ~/.config/mpv/script-opts/tuneup.conf):
--   tuneup-command=tuneup     the tuneup executable (full path if it is not on mpv's PATH)
--   tuneup-profile=NAME       record for this profile instead of the default one
--   tuneup-disable=yes        report nothing (tuneup's own player sets this: it records plays itself)

local mp = require "mp"
local options = require "mp.options"
local utils = require "mp.utils"

local opts = { command = "tuneup", profile = "", disable = false }
options.read_options(opts, "tuneup")

if opts.disable or os.getenv("TUNEUP_PLAYER") == "1" then
    return
end

local ENDED = { eof = "finished", stop = "skipped", quit = "stopped", error = "error", redirect = nil }
local current = nil -- the file playing: path, started (ISO UTC), played, last_pos, last_clock

local function absolute(path)
    if path == nil or path:find("://", 1, true) then
        return nil -- streams and URLs are not files in a library
    end
    if path:sub(1, 1) ~= "/" then
        path = utils.join_path(utils.getcwd(), path)
    end
    return path
end

local function paused()
    return mp.get_property_bool("pause", false)
end

-- Count time-pos moving forward at about the speed of the clock; a jump is a seek, not play.
local function advance(pos)
    local now = mp.get_time()
    pos = math.max(pos, 0) -- negative while the previous file's last buffer plays out
    if current.last_pos ~= nil and not paused() then
        local delta = pos - current.last_pos
        if delta > 0 and delta <= (now - current.last_clock) * 1.5 + 0.25 then
            current.played = current.played + delta
        end
    end
    current.last_pos, current.last_clock = pos, now
end

local function report(reason)
    local play = current
    current = nil
    if play == nil then
        return
    end
    local ended = ENDED[reason]
    if ended == nil then
        return
    end
    if play.last_pos ~= nil and not paused() then -- the bit since the last time-pos update
        local tail = math.min(mp.get_time() - play.last_clock, 1.0)
        if play.duration then
            local rest = math.max(play.duration - play.last_pos, 0)
            -- at the end of a file mpv stops updating time-pos while the last buffer plays out
            tail = (reason == "eof" and rest <= 2.0) and rest or math.min(tail, rest)
        end
        play.played = play.played + math.max(tail, 0)
    end
    local args = { opts.command, "log", play.path, "--played", string.format("%.3f", play.played),
                   "--ended", ended, "--at", play.started, "--source", "mpv" }
    if play.duration then
        table.insert(args, "--duration")
        table.insert(args, string.format("%.3f", play.duration))
    end
    if opts.profile ~= "" then
        table.insert(args, "--profile")
        table.insert(args, opts.profile)
    end
    mp.command_native_async({ name = "subprocess", args = args, playback_only = false, detach = true,
                              capture_stdout = false, capture_stderr = false }, function() end)
end

mp.register_event("file-loaded", function()
    if current ~= nil then
        report("stop")
    end
    local path = absolute(mp.get_property("path"))
    if path == nil then
        return
    end
    current = { path = path, started = os.date("!%Y-%m-%dT%H:%M:%SZ"), played = 0,
                duration = mp.get_property_number("duration"),
                last_pos = mp.get_property_number("time-pos", 0), last_clock = mp.get_time() }
end)

mp.observe_property("time-pos", "number", function(_, pos)
    if current ~= nil and pos ~= nil then
        advance(pos)
    end
end)

mp.observe_property("pause", "bool", function()
    if current ~= nil then
        current.last_clock = mp.get_time()
    end
end)

mp.observe_property("duration", "number", function(_, value)
    if current ~= nil and value ~= nil then
        current.duration = value
    end
end)

mp.register_event("end-file", function(event)
    report(event.reason)
end)

mp.register_event("shutdown", function()
    report("quit")
end)
