package bolt

import (
	"context"
	"net"
	"time"
)

// longAgo is a deadline in the past: it wakes every blocked Read and Write.
var longAgo = time.Unix(1, 0)

// bindContext makes conn's blocking calls obey ctx until release is called:
// the deadline comes from ctx, and cancellation moves it into the past.
// release waits for the cancellation callback if it already started, so no
// goroutine outlives the caller and no late SetDeadline hits the next call.
func bindContext(ctx context.Context, conn net.Conn) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, _ := ctx.Deadline() // zero time = no deadline, clearing an old one
	if err := conn.SetDeadline(d); err != nil {
		return nil, err
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		_ = conn.SetDeadline(longAgo)
	})
	return func() {
		if !stop() {
			<-fired
		}
	}, nil
}
