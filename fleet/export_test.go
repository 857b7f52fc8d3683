package fleet

// WithTrack is o with a hook that hears each diagnosis start (+1) and end
// (-1), for the tests that count the diagnoses in flight.
func WithTrack(o Options, track func(delta int)) Options {
	o.track = track
	return o
}
