"""No admin for children, placements or profiles, on purpose: administrators see no child
data. Every view of a child's record goes through access-checked, access-logged pages."""
