from django.contrib import admin

admin.site.site_header = "DOMS back office"
admin.site.site_title = "DOMS back office"
admin.site.index_title = "Dashboard"
# The order list is wide; staff reach the other screens from the dashboard and breadcrumbs.
admin.site.enable_nav_sidebar = False
