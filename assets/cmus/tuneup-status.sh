#!/bin/sh
# tuneup-status.sh: a cmus status_display_program that reports each track cmus plays to tuneup.
#
# Install: tuneup hooks install cmus, then in cmus  :set status_display_program=~/.config/cmus/tuneup-status.sh
# cmus runs this on every status change with pairs of arguments (status playing file /x.flac duration 240 ...).
# Time played is counted on the wall clock while the status is "playing"; when the file changes or playback
# stops, the previous file is reported through `tuneup log` (finished when it played to within 2 s of its end).
# Environment: TUNEUP_COMMAND (default: tuneup), TUNEUP_PROFILE, TUNEUP_CMUS_STATE (state file).

TUNEUP=${TUNEUP_COMMAND:-tuneup}
STATE=${TUNEUP_CMUS_STATE:-${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/tuneup-cmus-$(id -u).state}
now=${TUNEUP_CMUS_NOW:-$(date +%s)}

status="" file="" duration=""
while [ $# -ge 2 ]; do
    case "$1" in
        status) status=$2 ;;
        file) file=$2 ;;
        duration) duration=$2 ;;
    esac
    shift 2
done

s_file="" s_started="" s_played=0 s_status="" s_changed=$now s_duration=""
if [ -f "$STATE" ]; then
    { read -r s_file; read -r s_started; read -r s_played; read -r s_status; read -r s_changed; read -r s_duration; } < "$STATE"
fi
if [ "$s_status" = playing ]; then
    s_played=$((s_played + now - s_changed))
fi

if [ -n "$s_file" ] && { [ "$file" != "$s_file" ] || [ "$status" = stopped ]; }; then
    if [ -n "$s_duration" ] && [ "$s_duration" -gt 0 ] && [ $((s_played + 2)) -ge "$s_duration" ]; then
        ended=finished
    elif [ "$status" = stopped ]; then
        ended=stopped
    else
        ended=skipped
    fi
    set -- log "$s_file" --played "$s_played" --ended "$ended" --at "$s_started" --source cmus
    [ -n "$s_duration" ] && [ "$s_duration" -gt 0 ] && set -- "$@" --duration "$s_duration"
    [ -n "$TUNEUP_PROFILE" ] && set -- "$@" --profile "$TUNEUP_PROFILE"
    "$TUNEUP" "$@" >/dev/null 2>&1 &
    s_file=""
fi

if [ -n "$file" ] && [ "$status" != stopped ]; then
    if [ "$file" != "$s_file" ]; then
        s_file=$file s_played=0
        s_started=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
    fi
    printf '%s\n' "$s_file" "$s_started" "$s_played" "$status" "$now" "$duration" > "$STATE"
else
    rm -f "$STATE"
fi
