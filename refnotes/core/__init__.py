"""The core: referrals, dates and rules. It knows nothing of files, terminals or pages."""
