"""Privacy of the city cameras at the desk: review with masks, audited unmasked views, inventory."""
