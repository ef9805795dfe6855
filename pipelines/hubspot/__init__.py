"""Reading HubSpot: the object registry, the client wrapper, flattening."""
